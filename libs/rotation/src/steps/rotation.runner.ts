import { Inject, Injectable, Logger } from '@nestjs/common';
import type { LockHandle } from '@broker/locking';
import { AuditLog } from '@broker/observability';
import { DomainError } from '@broker/problems';
import type { RotatableCredential } from '../rotatable-credential';
import { ROTATION_AUDIT, ROTATION_OPTIONS } from '../rotation.constants';
import { RotationStepError } from '../rotation.errors';
import { assertHeld } from './rotation-lock';
import type { RotationModuleOptions } from '../rotation.options';
import { endStep, finish, retryDelayMs, type RotationRecord, type RotationState, type RotationStep, startStep } from '../state/rotation-state';
import { RotationStateStore } from '../state/rotation-state.port';
import { type AuditDetails, RotationSteps } from './rotation.steps';

/** Where a drive stopped: the state persisted last, and when to come back (a wait, a retry) if at all. */
export interface DriveOutcome {
  readonly state: RotationState;
  readonly resumeAt?: number;
}

/**
 * Drives a credential's active rotation through its steps while the caller holds the rotation lock,
 * persisting the record before and after every step (so a crash resumes at the step it interrupted) and
 * writing one audit event per step. A failure before promotion turns into `rollback`; retire and rollback
 * failures are retried later with backoff; a lost lock stops everything at once (whoever takes the lock
 * resumes).
 */
@Injectable()
export class RotationRunner {
  private readonly logger = new Logger(this.constructor.name);

  constructor(
    private readonly steps: RotationSteps,
    private readonly store: RotationStateStore,
    private readonly audit: AuditLog,
    @Inject(ROTATION_OPTIONS) private readonly options: RotationModuleOptions,
  ) {}

  /**
   * Runs steps until the rotation ends, has to wait, `stop` is aborted (shutdown: it returns between two
   * steps, the record saying where to resume), or the lock is lost (then it throws).
   */
  async drive(credential: RotatableCredential, initial: RotationState, lock: LockHandle, stop?: AbortSignal): Promise<DriveOutcome> {
    let state = initial;
    for (;;) {
      const record = state.active;
      if (!record || stop?.aborted) return { state };
      const now = Date.now();
      if (record.nextAttemptAt !== undefined && now < record.nextAttemptAt) return { state, resumeAt: record.nextAttemptAt };
      assertHeld(lock.signal);
      const running = startStep(record, record.step, now);
      state = await this.persist(credential.id, { ...state, active: running }, lock);
      let outcome: { state: RotationState; stop: boolean; resumeAt?: number };
      try {
        const result = await this.steps.run({
          credential,
          record: running,
          signal: lock.signal,
          now: () => Date.now(),
          checkIntervalMs: this.options.checkIntervalMs,
        });
        outcome = this.applyResult(credential, state, running, result);
      } catch (error) {
        if (error instanceof RotationStepError && error.code === 'rotation_lock_lost') throw error;
        if (lock.signal.aborted) throw error;
        outcome = this.applyFailure(credential, state, running, error);
      }
      state = await this.persist(credential.id, outcome.state, lock);
      if (outcome.stop) return { state, ...(outcome.resumeAt === undefined ? {} : { resumeAt: outcome.resumeAt }) };
    }
  }

  private applyResult(
    credential: RotatableCredential,
    state: RotationState,
    running: RotationRecord,
    result: Awaited<ReturnType<RotationSteps['run']>>,
  ): { state: RotationState; stop: boolean; resumeAt?: number } {
    const now = Date.now();
    const step = running.step;
    switch (result.kind) {
      case 'advance': {
        this.record(credential, running, step, 'success', result.details);
        const { nextAttemptAt: _n, attempts: _a, ...next } = endStep(result.record, 'success', now);
        return { state: { ...state, active: next }, stop: false };
      }
      case 'finish': {
        this.record(credential, running, step, 'success', { ...result.details, rotation_outcome: result.outcome });
        const done = endStep(result.record, 'success', now);
        this.logger.log({ msg: 'rotation finished', credential_id: credential.id, rotation_id: running.id, outcome: result.outcome });
        return { state: finish(state, done, result.outcome, now, result.outcome === 'succeeded' ? undefined : running.errorCode), stop: true };
      }
      case 'wait': {
        const waiting = { ...endStep(result.record, 'waiting', now, result.reason), nextAttemptAt: result.until };
        this.logger.debug({ msg: 'rotation step waiting', credential_id: credential.id, rotation_id: running.id, step, reason: result.reason });
        return { state: { ...state, active: waiting }, stop: true, resumeAt: result.until };
      }
      default: {
        const unknown: never = result;
        throw new Error(`unknown step result ${String((unknown as { kind: unknown }).kind)}`);
      }
    }
  }

  private applyFailure(credential: RotatableCredential, state: RotationState, running: RotationRecord, error: unknown): { state: RotationState; stop: boolean; resumeAt?: number } {
    const now = Date.now();
    const step = running.step;
    const code = error instanceof DomainError ? error.code : 'internal_error';
    this.logger.warn({ msg: 'rotation step failed', credential_id: credential.id, rotation_id: running.id, step, code });
    this.record(credential, running, step, 'failure', { error_code: code });
    const failed = endStep(running, 'failure', now, code);
    const later = (): { state: RotationState; stop: boolean; resumeAt: number } => {
      const attempts = (running.attempts ?? 0) + 1;
      const nextAttemptAt = now + retryDelayMs(attempts, this.options.checkIntervalMs);
      return { state: { ...state, active: { ...failed, attempts, nextAttemptAt, errorCode: code } }, stop: true, resumeAt: nextAttemptAt };
    };
    const stepName: RotationStep = step;
    switch (stepName) {
      case 'prepare':
        return { state: finish(state, failed, 'failed', now, code), stop: true };
      case 'create':
      case 'test':
      case 'promote': {
        const retryAt = error instanceof RotationStepError ? error.retryAt : undefined;
        if (retryAt !== undefined) return { state: { ...state, active: { ...failed, nextAttemptAt: retryAt, errorCode: code } }, stop: true, resumeAt: retryAt };
        return { state: { ...state, active: { ...failed, step: 'rollback', errorCode: code } }, stop: false };
      }
      case 'retire':
        // Promoted already: nothing to roll back. Only a changed AWSCURRENT ends it (deleting would be wrong).
        if (code === 'rotation_current_changed') return { state: finish(state, failed, 'failed', now, code), stop: true };
        return later();
      case 'rollback':
        return later();
      default: {
        const unknown: never = stepName;
        throw new Error(`unknown rotation step ${String(unknown)}`);
      }
    }
  }

  private record(credential: RotatableCredential, record: RotationRecord, step: RotationStep, outcome: 'success' | 'failure', details: AuditDetails = {}): void {
    this.audit.record({
      action: ROTATION_AUDIT[step],
      outcome,
      ...(record.callerId === undefined ? {} : { callerId: record.callerId }),
      credentialId: credential.id,
      ...(typeof details['error_code'] === 'string' ? { reason: details['error_code'] } : {}),
      details: { rotation_id: record.id, step, trigger: record.trigger, ...details },
    });
  }

  private async persist(credentialId: string, state: RotationState, lock: LockHandle): Promise<RotationState> {
    await this.store.save(credentialId, state, lock);
    return state;
  }
}
