import { ROTATION_TIMINGS } from '../rotation.constants';

/** The steps of a rotation, in order; `rollback` replaces the rest after a failure before promotion. */
export const ROTATION_STEPS = ['prepare', 'create', 'test', 'promote', 'retire', 'rollback'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** How a finished rotation ended. */
export type RotationOutcome = 'succeeded' | 'rolled_back' | 'failed';

/** Who started it; `recovered` rotations were rebuilt from Secrets Manager labels after their record was lost. */
export type RotationTrigger = 'operator' | 'schedule' | 'recovered';

/** One execution of a step (a resumed step appears again). */
export interface StepRun {
  readonly step: RotationStep;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly outcome?: 'success' | 'failure' | 'waiting';
  readonly errorCode?: string;
}

/**
 * The durable record of one rotation. Nothing secret: Adobe secret uuids and Secrets Manager version ids
 * are identifiers. `id` is also the ClientRequestToken of the new Secrets Manager version, hence its
 * version id, chosen before anything irreversible happens.
 */
export interface RotationRecord {
  readonly id: string;
  readonly trigger: RotationTrigger;
  readonly callerId?: string;
  /** The step to run next (or running now). */
  readonly step: RotationStep;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number;
  readonly outcome?: RotationOutcome;
  readonly errorCode?: string;
  /** The AWSCURRENT version when the rotation started, and the Adobe secret it holds (if known). */
  readonly oldVersionId?: string;
  readonly oldUuid?: string;
  /** The Adobe secret created by this rotation. */
  readonly newUuid?: string;
  /** When every instance was told to use the new secret. */
  readonly promotedAt?: number;
  readonly retiredAt?: number;
  /** Retire or rollback attempts that failed; the next one waits `nextAttemptAt`. */
  readonly attempts?: number;
  readonly nextAttemptAt?: number;
  readonly steps: readonly StepRun[];
}

/** Everything persisted per credential: the running rotation, the finished ones, the last schedule slot taken. */
export interface RotationState {
  readonly active?: RotationRecord;
  /** Newest first, at most `ROTATION_TIMINGS.historySize`. */
  readonly history: readonly RotationRecord[];
  readonly lastScheduledSlot?: number;
}

export const EMPTY_STATE: RotationState = Object.freeze({ history: [] });

/** A new rotation at `prepare`. */
export function newRotation(id: string, trigger: RotationTrigger, now: number, callerId?: string): RotationRecord {
  return { id, trigger, ...(callerId === undefined ? {} : { callerId }), step: 'prepare', startedAt: now, updatedAt: now, steps: [] };
}

/** The record with `step` started now (a step run is appended). */
export function startStep(record: RotationRecord, step: RotationStep, now: number): RotationRecord {
  return { ...record, step, updatedAt: now, steps: [...record.steps, { step, startedAt: now }].slice(-50) };
}

/** The record with its last step run closed. */
export function endStep(record: RotationRecord, outcome: NonNullable<StepRun['outcome']>, now: number, errorCode?: string): RotationRecord {
  const steps = [...record.steps];
  const last = steps.pop();
  if (last) steps.push({ ...last, finishedAt: now, outcome, ...(errorCode === undefined ? {} : { errorCode }) });
  return { ...record, updatedAt: now, steps };
}

/** Moves the active rotation into the history with its outcome. */
export function finish(state: RotationState, record: RotationRecord, outcome: RotationOutcome, now: number, errorCode?: string): RotationState {
  const { nextAttemptAt: _next, errorCode: _error, ...rest } = record;
  const done: RotationRecord = { ...rest, finishedAt: now, updatedAt: now, outcome, ...(errorCode === undefined ? {} : { errorCode }) };
  const { active: _active, ...others } = state;
  return { ...others, history: [done, ...state.history].slice(0, ROTATION_TIMINGS.historySize) };
}

/** Exponential backoff for retire/rollback retries: from one check interval, doubling, at most an hour. */
export function retryDelayMs(attempts: number, checkIntervalMs: number): number {
  return Math.min(3_600_000, checkIntervalMs * 2 ** Math.max(0, attempts - 1));
}

/** Parses a persisted state; undefined when it is not one (a corrupt or foreign value). */
export function parseState(text: string): RotationState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as RotationState).history)) return undefined;
  const state = parsed as RotationState;
  const records = [...(state.active ? [state.active] : []), ...state.history];
  const valid = records.every(
    (r) => typeof r?.id === 'string' && (ROTATION_STEPS as readonly string[]).includes(r.step) && typeof r.startedAt === 'number' && Array.isArray(r.steps),
  );
  return valid ? state : undefined;
}
