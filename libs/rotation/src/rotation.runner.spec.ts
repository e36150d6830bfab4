import { Logger } from '@nestjs/common';
import { LocalLockService, type LockHandle, LockKeys } from '@broker/locking';
import type { AuditEvent, AuditLog } from '@broker/observability';
import { MemoryRotationStateStore } from './memory.rotation-state';
import type { RotatableCredential } from './rotatable-credential';
import { RotationStepError } from './rotation.errors';
import { RotationRunner } from './rotation.runner';
import { EMPTY_STATE, newRotation, type RotationRecord, type RotationState, type RotationStep } from './rotation-state';
import type { RotationSteps, StepContext, StepResult } from './rotation.steps';

const credential = {
  id: 'aep-prod',
  provider: 'adobe-ims',
  imsUrl: 'https://ims-na1.adobelogin.com',
  clientId: 'c1',
  orgId: 'O@AdobeOrg',
  scopes: ['openid'],
  secret: { source: 'aws', secretId: 'prod/aep', versionStage: 'AWSCURRENT' },
  rotation: { consoleCredentialId: '1', consoleOrgId: '2', windowMs: 1_000, retireAfterMs: 1_000, maxRetireWaitMs: 60_000, consoleUrl: 'https://api.adobe.io' },
} as RotatableCredential;

/** What each step does in a test: a result built from the record, or an error to throw. */
type Script = Partial<Record<RotationStep, (record: RotationRecord) => StepResult | Error>>;

const NEXT: Record<RotationStep, RotationStep> = { prepare: 'create', create: 'test', test: 'promote', promote: 'retire', retire: 'retire', rollback: 'rollback' };

describe('RotationRunner', () => {
  let locks: LocalLockService;
  let store: MemoryRotationStateStore;
  let audit: AuditEvent[];
  let ran: RotationStep[];

  function runner(script: Script): RotationRunner {
    const steps = {
      run: async (ctx: StepContext): Promise<StepResult> => {
        ran.push(ctx.record.step);
        const outcome = script[ctx.record.step]?.(ctx.record) ?? { kind: 'advance', record: { ...ctx.record, step: NEXT[ctx.record.step] } };
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    } as unknown as RotationSteps;
    const log = { record: (event: AuditEvent) => audit.push(event) } as unknown as AuditLog;
    return new RotationRunner(steps, store, log, { mode: 'local', checkIntervalMs: 1_000 });
  }

  async function lock(): Promise<LockHandle> {
    const handle = await locks.tryAcquire(LockKeys.local().rotation(credential.id), 5_000);
    if (!handle) throw new Error('lock not acquired');
    return handle;
  }

  async function drive(script: Script, state: RotationState = { ...EMPTY_STATE, active: newRotation('r1', 'operator', Date.now(), 'ops') }) {
    const handle = await lock();
    await store.save(credential.id, state, handle);
    try {
      return await runner(script).drive(credential, state, handle);
    } finally {
      await handle.release();
    }
  }

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    locks = new LocalLockService();
    store = new MemoryRotationStateStore();
    audit = [];
    ran = [];
  });
  afterEach(async () => {
    await locks.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('runs the steps in order, persisting each, one audit event per step', async () => {
    const { state } = await drive({ retire: (record) => ({ kind: 'finish', record, outcome: 'succeeded' }) });
    expect(ran).toEqual(['prepare', 'create', 'test', 'promote', 'retire']);
    expect(state.active).toBeUndefined();
    expect(state.history[0]).toMatchObject({ id: 'r1', outcome: 'succeeded' });
    expect(await store.load(credential.id)).toEqual(state);
    expect(audit.map((e) => [e.action, e.outcome, e.details?.['rotation_id'], e.callerId])).toEqual(
      ['prepare', 'create', 'test', 'promote', 'retire'].map((step) => [`rotation.${step}`, 'success', 'r1', 'ops']),
    );
  });

  it('ends a failed prepare as failed (nothing to undo)', async () => {
    const { state } = await drive({ prepare: () => new RotationStepError('rotation_secret_limit', 409, 'two secrets') });
    expect(ran).toEqual(['prepare']);
    expect(state.history[0]).toMatchObject({ outcome: 'failed', errorCode: 'rotation_secret_limit' });
    expect(audit[0]).toMatchObject({ action: 'rotation.prepare', outcome: 'failure', reason: 'rotation_secret_limit' });
  });

  it.each(['create', 'test', 'promote'] as const)('rolls back after a failure in %s, keeping the cause', async (failing) => {
    const { state } = await drive({
      [failing]: () => new RotationStepError('rotation_test_failed', 502, 'no'),
      rollback: (record: RotationRecord) => ({ kind: 'finish', record, outcome: 'rolled_back' }),
    });
    expect(ran.at(-2)).toBe(failing);
    expect(ran.at(-1)).toBe('rollback');
    expect(state.history[0]).toMatchObject({ outcome: 'rolled_back', errorCode: 'rotation_test_failed' });
  });

  it('waits instead of rolling back when a step says when it can succeed (a young orphan)', async () => {
    const retryAt = Date.now() + 10_000;
    const outcome = await drive({ create: () => new RotationStepError('rotation_orphan_too_young', 409, 'young', false, { retryAt }) });
    expect(outcome.resumeAt).toBe(retryAt);
    expect(outcome.state.active).toMatchObject({ step: 'create', nextAttemptAt: retryAt });
    // Driving again before then does nothing.
    ran = [];
    await drive({}, outcome.state);
    expect(ran).toEqual([]);
  });

  it('retries a failed retire later with backoff, without finishing the rotation', async () => {
    const outcome = await drive({ retire: () => new RotationStepError('console_unavailable', 503, 'down', true) });
    expect(outcome.state.active).toMatchObject({ step: 'retire', attempts: 1, errorCode: 'console_unavailable' });
    expect(outcome.resumeAt).toBe(outcome.state.active?.nextAttemptAt);
  });

  it('stops at once when the lock is lost, writing nothing more', async () => {
    const handle = await lock();
    const state: RotationState = { ...EMPTY_STATE, active: newRotation('r1', 'operator', Date.now()) };
    const drive = runner({
      create: () => {
        void handle.release();
        return new RotationStepError('rotation_lock_lost', 503, 'lost', true);
      },
    }).drive(credential, state, handle);
    await expect(drive).rejects.toMatchObject({ code: 'rotation_lock_lost' });
    expect(ran).toEqual(['prepare', 'create']);
    expect((await store.load(credential.id)).active?.step).toBe('create');
  });
});
