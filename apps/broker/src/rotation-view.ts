import type { DryRunReport, RotationRecord, RotationStatus } from '@broker/rotation';
import type { SecretStatus } from '@broker/secrets';

/** A rotation as the admin API shows it (brokerctl relies on `rotation_id` and `state`). Never a secret. */
export interface RotationView {
  rotation_id: string | null;
  state: 'running' | 'retiring' | 'rolling_back' | 'succeeded' | 'rolled_back' | 'failed' | 'ok' | 'blocked';
  step: string;
  trigger?: string;
  dry_run?: boolean;
  started_at?: string;
  updated_at?: string;
  finished_at?: string | null;
  error_code: string | null;
  promoted_at?: string | null;
  retired_at?: string | null;
  next_attempt_at?: string | null;
  steps?: { step: string; started_at: string; finished_at: string | null; outcome: string | null; error_code: string | null }[];
  [extra: string]: unknown;
}

const iso = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : new Date(epochMs).toISOString());

/** The view of a running or finished rotation record. */
export function rotationView(record: RotationRecord): RotationView {
  const state: RotationView['state'] = record.outcome ?? (record.step === 'retire' ? 'retiring' : record.step === 'rollback' ? 'rolling_back' : 'running');
  return {
    rotation_id: record.id,
    state,
    step: record.step,
    trigger: record.trigger,
    started_at: new Date(record.startedAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
    finished_at: iso(record.finishedAt),
    error_code: record.errorCode ?? null,
    promoted_at: iso(record.promotedAt),
    retired_at: iso(record.retiredAt),
    next_attempt_at: iso(record.nextAttemptAt),
    steps: record.steps.map((run) => ({
      step: run.step,
      started_at: new Date(run.startedAt).toISOString(),
      finished_at: iso(run.finishedAt),
      outcome: run.outcome ?? null,
      error_code: run.errorCode ?? null,
    })),
  };
}

/** The answer of `?dryRun=true`: what prepare found, or why a rotation would stop now. */
export function dryRunView(report: DryRunReport): RotationView {
  if (!report.ok) return { rotation_id: null, dry_run: true, state: 'blocked', step: 'prepare', error_code: report.errorCode, detail: report.detail };
  return {
    rotation_id: null,
    dry_run: true,
    state: 'ok',
    step: 'prepare',
    error_code: null,
    current_version_id: report.currentVersionId,
    current_adobe_secret_uuid: report.currentUuid,
    adobe_secrets: report.adobeSecrets,
    orphan: report.orphan ? { adobe_secret_uuid: report.orphan.uuid, age_seconds: Math.floor(report.orphan.ageMs / 1000), action: report.orphan.action } : null,
  };
}

/** What this instance knows of the current secret: the fleet-wide version and the one it holds in memory. */
export function currentSecretView(status: RotationStatus, held: SecretStatus): Record<string, unknown> {
  return {
    version_id: status.currentVersionId ?? null,
    created_at: iso(status.currentSecretCreatedAt),
    age_seconds: status.currentSecretAgeSeconds ?? null,
    next_scheduled_at: iso(status.nextScheduledAt),
    // This instance's cache: after a promotion every instance holds the new version.
    instance_version_id: held.version ?? null,
    instance_fetched_at: iso(held.fetchedAt),
  };
}
