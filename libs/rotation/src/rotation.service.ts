import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { CredentialLocks, type LockHandle, LockUnavailableError } from '@broker/locking';
import { AuditLog, BrokerMetrics } from '@broker/observability';
import { DomainError } from '@broker/problems';
import { asRotatable, type RotatableCredential } from './rotatable-credential';
import { ROTATION_AUDIT, ROTATION_OPTIONS, ROTATION_TIMINGS } from './rotation.constants';
import { RotationInProgressError, RotationNotConfiguredError } from './rotation.errors';
import type { RotationModuleOptions } from './rotation.options';
import { RotationRecovery, type SecretObservation } from './steps/rotation-recovery';
import { RotationRunner, type DriveOutcome } from './steps/rotation.runner';
import { rotationHealth, type RotationHealth } from './schedule/rotation-health';
import { decideSchedule, type ScheduleDecision } from './schedule/rotation-schedule';
import { newRotation, type RotationOutcome, type RotationRecord, type RotationState, type RotationTrigger } from './state/rotation-state';
import { RotationStateStore } from './state/rotation-state.port';
import { type PrepareReport, RotationSteps } from './steps/rotation.steps';

/** What the ops metrics read: the age of the current secret and how the last rotation ended. */
export interface RotationStatus {
  readonly credentialId: string;
  readonly currentVersionId?: string;
  /** When the AWSCURRENT version was created (as last observed by this instance). */
  readonly currentSecretCreatedAt?: number;
  readonly currentSecretAgeSeconds?: number;
  readonly lastOutcome?: RotationOutcome;
  readonly lastFinishedAt?: number;
  readonly lastErrorCode?: string;
  readonly active?: { readonly id: string; readonly step: RotationRecord['step']; readonly startedAt: number; readonly trigger: RotationTrigger };
  readonly nextScheduledAt?: number;
}

/** The answer of a dry run: what prepare found and would do, or why a rotation would stop. */
export type DryRunReport = ({ readonly ok: true } & PrepareReport) | { readonly ok: false; readonly errorCode: string; readonly detail: string };

/**
 * Client-secret rotation, one per credential at a time across the fleet: the rotation lock decides who
 * works, the persisted record says what is running (and which schedule slot was taken), and the record is
 * rebuilt from Secrets Manager labels when it was lost. Operators start rotations here; the scheduler calls
 * `check` on every instance to start due schedules and to resume interrupted rotations and due retirements.
 */
@Injectable()
export class RotationService implements OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private readonly observations = new Map<string, SecretObservation>();
  /** The state each scheduler pass loaded, for the gauges (read at scrape time, so no I/O there). */
  private readonly lastStates = new Map<string, RotationState>();
  private readonly drives = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly shutdown = new AbortController();
  private closed = false;

  constructor(
    private readonly config: ConfigService,
    private readonly locks: CredentialLocks,
    private readonly store: RotationStateStore,
    private readonly runner: RotationRunner,
    private readonly recovery: RotationRecovery,
    private readonly steps: RotationSteps,
    private readonly audit: AuditLog,
    private readonly metrics: BrokerMetrics,
    @Inject(ROTATION_OPTIONS) private readonly options: RotationModuleOptions,
  ) {}

  /** The credentials of the current config that have rotation settings. */
  rotatableCredentials(): RotatableCredential[] {
    return this.config.current.credentials.flatMap((credential) => {
      const rotatable = asRotatable(credential);
      return rotatable ? [rotatable] : [];
    });
  }

  /**
   * Starts a rotation now (202 material): takes the lock, rebuilds an interrupted rotation if the labels
   * show one, refuses with `RotationInProgressError` while one runs, then drives the new one in the
   * background. Returns the new record.
   */
  async start(credentialId: string, callerId?: string): Promise<RotationRecord> {
    const credential = this.rotatable(credentialId);
    const lock = await this.acquire(credential.id);
    if (!lock) {
      this.auditTrigger(credential.id, 'denied', 'operator', callerId, 'rotation_in_progress');
      throw new RotationInProgressError(credential.id);
    }
    let launched = false;
    try {
      let state = await this.reconcile(credential, lock);
      if (state.active) {
        this.auditTrigger(credential.id, 'denied', 'operator', callerId, 'rotation_in_progress');
        throw new RotationInProgressError(credential.id);
      }
      const record = newRotation(randomUUID(), 'operator', Date.now(), callerId);
      state = { ...state, active: record };
      await this.store.save(credential.id, state, lock);
      this.auditTrigger(credential.id, 'success', 'operator', callerId, undefined, record.id);
      this.launch(credential, state, lock);
      launched = true;
      return record;
    } finally {
      if (!launched) await lock.release();
    }
  }

  /** Runs `prepare` without changing anything (no lock, no record, no deletion) and reports. */
  async dryRun(credentialId: string, callerId?: string): Promise<DryRunReport> {
    const credential = this.rotatable(credentialId);
    if ((await this.store.load(credential.id)).active) throw new RotationInProgressError(credential.id);
    const record = newRotation('dry-run', 'operator', Date.now());
    let report: DryRunReport;
    try {
      const found = await this.steps.prepare(
        { credential, record, signal: new AbortController().signal, now: () => Date.now(), checkIntervalMs: this.options.checkIntervalMs },
        true,
      );
      report = { ok: true, ...found };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      report = { ok: false, errorCode: error.code, detail: error.message };
    }
    this.audit.record({
      action: ROTATION_AUDIT.prepare,
      outcome: report.ok ? 'success' : 'failure',
      ...(callerId === undefined ? {} : { callerId }),
      credentialId: credential.id,
      ...(report.ok ? {} : { reason: report.errorCode }),
      details: { dry_run: true, step: 'prepare', trigger: 'operator' },
    });
    return report;
  }

  /** The persisted state of a credential's rotations (running one and history). */
  async state(credentialId: string): Promise<RotationState> {
    return this.store.load(this.rotatable(credentialId).id);
  }

  /** For metrics: the current secret's age (as last observed here) and the last rotation's outcome. */
  async status(credentialId: string): Promise<RotationStatus> {
    const credential = this.rotatable(credentialId);
    const state = await this.store.load(credential.id);
    const observation = await this.observation(credential);
    const now = Date.now();
    const last = state.history[0];
    const decision = this.decide(credential, state, observation, now);
    return {
      credentialId: credential.id,
      ...(observation?.currentVersionId === undefined ? {} : { currentVersionId: observation.currentVersionId }),
      ...(observation?.currentCreatedAt === undefined
        ? {}
        : { currentSecretCreatedAt: observation.currentCreatedAt, currentSecretAgeSeconds: Math.max(0, Math.floor((now - observation.currentCreatedAt) / 1000)) }),
      ...(last?.outcome === undefined ? {} : { lastOutcome: last.outcome }),
      ...(last?.finishedAt === undefined ? {} : { lastFinishedAt: last.finishedAt }),
      ...(last?.errorCode === undefined ? {} : { lastErrorCode: last.errorCode }),
      ...(state.active ? { active: { id: state.active.id, step: state.active.step, startedAt: state.active.startedAt, trigger: state.active.trigger } } : {}),
      ...(decision.kind === 'wait' && decision.at !== undefined ? { nextScheduledAt: decision.at } : {}),
    };
  }

  /** Blocked / overdue / allowed age, from the state the last scheduler pass loaded (no I/O: for gauges). */
  health(credentialId: string): RotationHealth | undefined {
    const credential = asRotatable(this.config.credential(credentialId));
    const state = this.lastStates.get(credentialId);
    if (!credential || !state) return undefined;
    return rotationHealth(credential.rotation, state, this.observations.get(credentialId)?.currentCreatedAt, Date.now());
  }

  /** When the current secret was created, as last observed (no I/O: for metrics gauges). */
  currentSecretCreatedAt(credentialId: string): number | undefined {
    return this.observations.get(credentialId)?.currentCreatedAt;
  }

  /**
   * One scheduler pass for a credential: resumes an interrupted rotation or a due retirement, rebuilds a
   * lost record from the labels, or starts a due scheduled rotation, under the lock (fails closed: a lock
   * backend that cannot be reached throws and nothing runs).
   */
  async check(credentialId: string): Promise<void> {
    if (this.closed || this.drives.has(credentialId)) return;
    const credential = asRotatable(this.config.credential(credentialId));
    if (!credential) return;
    const state = await this.store.load(credential.id);
    this.lastStates.set(credential.id, state);
    const observation = await this.observation(credential);
    if (!this.needsWork(credential, state, observation)) return;
    const lock = await this.locks.rotation(credential.id, ROTATION_TIMINGS.lockTtlMs);
    if (!lock) return;
    let launched = false;
    try {
      let fresh = await this.reconcile(credential, lock);
      if (!fresh.active) fresh = await this.startScheduled(credential, fresh, lock);
      if (fresh.active) {
        this.launch(credential, fresh, lock);
        launched = true;
      } else {
        this.settle(credential.id);
      }
    } finally {
      if (!launched) await lock.release();
    }
  }

  /**
   * The labels were looked at closely and hold nothing to resume (say an AWSPREVIOUS left by a manual
   * rotation): stop asking until the next observation, instead of taking the lock at every check.
   */
  private settle(credentialId: string): void {
    const observed = this.observations.get(credentialId);
    if (observed?.unfinished) this.observations.set(credentialId, { ...observed, unfinished: false });
  }

  /** Forgets what this instance observed of a credential's labels (after another instance rotated it). */
  markStale(credentialId: string): void {
    this.observations.delete(credentialId);
  }

  /** Lets running rotations stop at the next step boundary (bounded wait), so a restart does not cut a step. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.shutdown.abort();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ROTATION_TIMINGS.shutdownWaitMs);
    });
    await Promise.race([Promise.allSettled([...this.drives.values()]), bound]);
    clearTimeout(timer);
  }

  private rotatable(credentialId: string): RotatableCredential {
    const credential = asRotatable(this.config.credential(credentialId));
    if (!credential) throw new RotationNotConfiguredError(credentialId);
    return credential;
  }

  private async acquire(credentialId: string): Promise<LockHandle | undefined> {
    try {
      return await this.locks.rotation(credentialId, ROTATION_TIMINGS.lockTtlMs);
    } catch (error) {
      if (!(error instanceof LockUnavailableError)) throw error;
      // Fail closed: without the lock nobody may rotate.
      throw new DomainError('rotation_lock_unavailable', 503, 'Rotation lock unavailable', 'The rotation lock cannot be reached (Redis); try again.', { 'retry-after': '5' }, { cause: error });
    }
  }

  /** The persisted state, with an interrupted rotation rebuilt from the labels when no record survived. */
  private async reconcile(credential: RotatableCredential, lock: LockHandle): Promise<RotationState> {
    const state = await this.store.load(credential.id);
    if (state.active) return state;
    const rebuilt = await this.recovery.rebuild(credential, Date.now());
    if (!rebuilt) return state;
    const next = { ...state, active: rebuilt };
    await this.store.save(credential.id, next, lock);
    this.logger.warn({ msg: 'interrupted rotation rebuilt from Secrets Manager labels', credential_id: credential.id, rotation_id: rebuilt.id, step: rebuilt.step });
    this.auditTrigger(credential.id, 'success', 'recovered', undefined, undefined, rebuilt.id);
    return next;
  }

  /** Starts the due scheduled rotation (or records a missed slot) under the held lock. */
  private async startScheduled(credential: RotatableCredential, state: RotationState, lock: LockHandle): Promise<RotationState> {
    const observation = await this.observe(credential);
    const decision = this.decide(credential, state, observation, Date.now());
    if (decision.kind === 'missed') {
      if (state.lastScheduledSlot !== undefined) {
        this.logger.warn({ msg: 'scheduled rotation skipped: its window passed', credential_id: credential.id, slot: new Date(decision.slot).toISOString() });
      }
      const next = { ...state, lastScheduledSlot: decision.slot };
      await this.store.save(credential.id, next, lock);
      return next;
    }
    if (decision.kind !== 'due') return state;
    const record = newRotation(randomUUID(), 'schedule', Date.now());
    const next = { ...state, active: record, lastScheduledSlot: decision.slot };
    await this.store.save(credential.id, next, lock);
    this.auditTrigger(credential.id, 'success', 'schedule', undefined, undefined, record.id);
    return next;
  }

  private needsWork(credential: RotatableCredential, state: RotationState, observation: SecretObservation | undefined): boolean {
    const now = Date.now();
    const active = state.active;
    if (active) {
      if (active.nextAttemptAt !== undefined) return now >= active.nextAttemptAt;
      if (active.step === 'retire') return now >= (active.promotedAt ?? 0) + credential.rotation.retireAfterMs;
      return true; // an interrupted step (its runner died), or one running elsewhere (the lock will say)
    }
    if (observation?.unfinished) return true;
    const decision = this.decide(credential, state, observation, now);
    return decision.kind === 'due' || decision.kind === 'missed';
  }

  private decide(credential: RotatableCredential, state: RotationState, observation: SecretObservation | undefined, now: number): ScheduleDecision {
    let failedInARow = 0;
    for (const past of state.history) {
      if (past.outcome === 'succeeded') break;
      if (past.trigger === 'schedule') failedInARow++;
    }
    const lastFailureAt = state.history[0]?.outcome === 'succeeded' ? undefined : state.history[0]?.finishedAt;
    return decideSchedule(credential.rotation, {
      credentialId: credential.id,
      now,
      ...(observation?.currentCreatedAt === undefined ? {} : { currentCreatedAt: observation.currentCreatedAt }),
      ...(state.lastScheduledSlot === undefined ? {} : { lastScheduledSlot: state.lastScheduledSlot }),
      failedInARow,
      ...(lastFailureAt === undefined ? {} : { lastFailureAt }),
      checkIntervalMs: this.options.checkIntervalMs,
    });
  }

  /** The cached observation, refreshed when older than the observe interval; undefined while unreadable. */
  private async observation(credential: RotatableCredential): Promise<SecretObservation | undefined> {
    const cached = this.observations.get(credential.id);
    if (cached && Date.now() - cached.at < ROTATION_TIMINGS.observeIntervalMs) return cached;
    try {
      return await this.observe(credential);
    } catch {
      this.logger.debug({ msg: 'cannot read the secret versions for rotation checks', credential_id: credential.id });
      return cached;
    }
  }

  private async observe(credential: RotatableCredential): Promise<SecretObservation> {
    const observation = await this.recovery.observe(credential);
    this.observations.set(credential.id, observation);
    return observation;
  }

  /** Drives the active rotation in the background while holding `lock`; releases it when the drive stops. */
  private launch(credential: RotatableCredential, state: RotationState, lock: LockHandle): void {
    const drive = (async () => {
      let outcome: DriveOutcome | undefined;
      try {
        outcome = await this.runner.drive(credential, state, lock, this.shutdown.signal);
      } catch (error) {
        const code = error instanceof DomainError ? error.code : 'internal_error';
        this.logger.warn({ msg: 'rotation interrupted; it resumes from its record', credential_id: credential.id, code });
      } finally {
        await lock.release();
        this.drives.delete(credential.id);
        this.markStale(credential.id);
      }
      const finished = outcome && !outcome.state.active ? outcome.state.history.find((run) => run.id === state.active?.id) : undefined;
      if (finished?.outcome) this.metrics.rotations.inc({ credential: credential.id, outcome: finished.outcome });
      if (outcome?.resumeAt !== undefined) this.arm(credential.id, outcome.resumeAt);
    })();
    this.drives.set(credential.id, drive);
  }

  /** Comes back at `at` when that is sooner than the next scheduler pass (short retireAfter, quick retries). */
  private arm(credentialId: string, at: number): void {
    const delay = at - Date.now();
    if (this.closed || delay >= this.options.checkIntervalMs) return;
    clearTimeout(this.timers.get(credentialId));
    const timer = setTimeout(() => {
      this.timers.delete(credentialId);
      this.check(credentialId).catch((error: unknown) => {
        this.logger.warn({ msg: 'rotation check failed', credential_id: credentialId, code: error instanceof DomainError ? error.code : 'internal_error' });
      });
    }, Math.max(0, delay) + 10);
    timer.unref();
    this.timers.set(credentialId, timer);
  }

  private auditTrigger(
    credentialId: string,
    outcome: 'success' | 'denied',
    trigger: RotationTrigger,
    callerId: string | undefined,
    reason: string | undefined,
    rotationId?: string,
  ): void {
    this.audit.record({
      action: ROTATION_AUDIT.trigger,
      outcome,
      ...(callerId === undefined ? {} : { callerId }),
      credentialId,
      ...(reason === undefined ? {} : { reason }),
      details: { trigger, ...(rotationId === undefined ? {} : { rotation_id: rotationId }) },
    });
  }
}
