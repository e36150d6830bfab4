import { Logger } from '@nestjs/common';
import { type FleetEvent, FleetIdentity, LocalFleetBus } from '@broker/fleet';
import { type AuditEvent, type AuditLog, BrokerMetrics } from '@broker/observability';
import { STAGE } from '@broker/secrets';
import {
  FakeConsole,
  FakeIssuers,
  FakeLocks,
  FakeSecretVersionStore,
  fakeConfig,
  HOUR,
  RecordingStateStore,
  rotatableCredential,
  SECRET_ID,
} from '../../../test/fixtures/rotation.fakes';
import { eventually } from '../../../test/support/eventually';
import type { AdobeConsoleClient } from './console/adobe-console.client';
import { ManagementTokens } from './console/management-tokens';
import type { RotatableCredential } from './rotatable-credential';
import { RotationService } from './rotation.service';
import type { RotationState } from './state/rotation-state';
import type { RotationStateStore } from './state/rotation-state.port';
import { RotationRecovery } from './steps/rotation-recovery';
import { RotationRunner } from './steps/rotation.runner';
import { RotationSteps } from './steps/rotation.steps';

const RETIRE_AFTER = 60_000;
const OPTIONS = { mode: 'local', checkIntervalMs: 30_000 } as const;

/** One line per saved state: the last step run and how it stood (`new` before any step ran). */
function saved(state: RotationState): string {
  const last = state.active?.steps.at(-1) ?? state.history[0]?.steps.at(-1);
  if (!last) return 'new';
  return `${last.step}:${last.outcome ?? 'running'}${state.active ? '' : ` -> ${state.history[0]?.outcome}`}`;
}

describe('RotationService', () => {
  let credential: RotatableCredential;
  let versions: FakeSecretVersionStore;
  let adobe: FakeConsole;
  let issuers: FakeIssuers;
  let locks: FakeLocks;
  let store: RecordingStateStore;
  let bus: LocalFleetBus;
  let events: FleetEvent[];
  let audit: AuditEvent[];
  let metrics: BrokerMetrics;
  let service: RotationService;

  function build(): RotationService {
    const config = fakeConfig(credential);
    const steps = new RotationSteps(versions, adobe as unknown as AdobeConsoleClient, new ManagementTokens(issuers.asPort(), config), issuers.asPort(), bus, config);
    const stateStore = store as unknown as RotationStateStore;
    const log = { record: (event: AuditEvent) => audit.push(event) } as unknown as AuditLog;
    const runner = new RotationRunner(steps, stateStore, log, OPTIONS);
    return new RotationService(config, locks.asPort(), stateStore, runner, new RotationRecovery(versions, steps), steps, log, metrics, OPTIONS);
  }

  /** The persisted state once the background drive has stopped (the lock is released then). */
  async function settled(): Promise<RotationState> {
    await eventually(() => (locks.held.size === 0 ? true : undefined), 'the drive to release the rotation lock');
    return store.load(credential.id);
  }

  async function rotations(outcome: string): Promise<number> {
    const metric = await metrics.rotations.get();
    return metric.values.find((v) => v.labels['outcome'] === outcome && v.labels['credential'] === credential.id)?.value ?? 0;
  }

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    credential = rotatableCredential({ retireAfterMs: RETIRE_AFTER }) as unknown as RotatableCredential;
    versions = new FakeSecretVersionStore(SECRET_ID);
    versions.seed('v-old', JSON.stringify({ client_secret: 'p8e-old-secret', adobe_secret_uuid: 'u-old' }), [STAGE.current], Date.now() - 10 * 24 * HOUR);
    issuers = new FakeIssuers(() => adobe);
    adobe = new FakeConsole(() => issuers.tokens);
    adobe.seed('u-old', 'p8e-old-secret', Date.now() - 10 * 24 * HOUR);
    locks = new FakeLocks();
    store = new RecordingStateStore();
    bus = new LocalFleetBus(new FleetIdentity());
    events = [];
    bus.subscribe((event) => events.push(event));
    audit = [];
    metrics = new BrokerMetrics();
    service = build();
  });

  afterEach(async () => {
    await service.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('drives an operator rotation prepare → create → test → promote, saving the record before and after every step, then waits retireAfter', async () => {
    const record = await service.start(credential.id, 'ops');
    expect(record).toMatchObject({ step: 'prepare', trigger: 'operator', callerId: 'ops' });
    const state = await settled();

    expect(store.saves.map(saved)).toEqual([
      'new',
      'prepare:running',
      'prepare:success',
      'create:running',
      'create:success',
      'test:running',
      'test:success',
      'promote:running',
      'promote:success',
      'retire:running',
      'retire:waiting',
    ]);
    expect(state.active).toMatchObject({ id: record.id, step: 'retire', nextAttemptAt: (state.active?.promotedAt ?? 0) + RETIRE_AFTER });
    expect(versions.holder(STAGE.current)).toBe(record.id);
    expect(events.map((e) => e.type)).toEqual(['secret-changed']);
    expect(adobe.secrets).toHaveLength(2); // the old secret lives until retireAfter
    expect(locks.acquired).toBe(1);
    expect(audit.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'rotation.trigger:success',
      'rotation.prepare:success',
      'rotation.create:success',
      'rotation.test:success',
      'rotation.promote:success',
    ]);
  });

  it('retires the old secret only once retireAfter has passed since promotion', async () => {
    await service.start(credential.id);
    const waiting = await settled();
    const promotedAt = waiting.active?.promotedAt ?? 0;

    const now = jest.spyOn(Date, 'now').mockReturnValue(promotedAt + RETIRE_AFTER - 1_000);
    await service.check(credential.id);
    expect(locks.acquired).toBe(1); // not due: the lock is not even taken
    expect(adobe.secrets).toHaveLength(2);

    now.mockReturnValue(promotedAt + RETIRE_AFTER);
    await service.check(credential.id);
    const done = await settled();
    expect(locks.acquired).toBe(2);
    expect(done.active).toBeUndefined();
    expect(done.history[0]).toMatchObject({ outcome: 'succeeded', retiredAt: promotedAt + RETIRE_AFTER });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-new-1']);
    expect(versions.holder(STAGE.previous)).toBeUndefined();
    expect(await rotations('succeeded')).toBe(1);
  });

  it('refuses a second trigger while a rotation runs elsewhere (lock held) or waits to retire (record active)', async () => {
    const elsewhere = await locks.rotation(credential.id);
    await expect(service.start(credential.id, 'ops')).rejects.toMatchObject({ code: 'rotation_in_progress', status: 409 });
    await elsewhere?.release();

    await service.start(credential.id);
    await settled();
    await expect(service.start(credential.id, 'ops')).rejects.toMatchObject({ code: 'rotation_in_progress' });
    await expect(service.dryRun(credential.id)).rejects.toMatchObject({ code: 'rotation_in_progress' });
    expect(audit.filter((e) => e.action === 'rotation.trigger').map((e) => [e.outcome, e.reason])).toEqual([
      ['denied', 'rotation_in_progress'],
      ['success', undefined],
      ['denied', 'rotation_in_progress'],
    ]);
    expect(locks.held.size).toBe(0); // the refused trigger released the lock it took
    expect(adobe.calls.filter((c) => c.startsWith('add'))).toEqual(['add u-new-1']);
  });

  it('rolls back a rotation whose new secret fails the test: Adobe and the labels as before, nobody told to switch', async () => {
    issuers.rejecting.add('p8e-new-secret-1');
    const record = await service.start(credential.id);
    const state = await settled();

    expect(state.active).toBeUndefined();
    expect(state.history[0]).toMatchObject({ id: record.id, outcome: 'rolled_back', errorCode: 'rotation_test_failed' });
    expect(store.saves.map(saved).slice(-4)).toEqual(['test:running', 'test:failure', 'rollback:running', 'rollback:success -> rolled_back']);
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old']);
    expect(versions.holder(STAGE.current)).toBe('v-old');
    expect(versions.holder(STAGE.pending)).toBeUndefined();
    expect(events).toEqual([]);
    expect(audit.find((e) => e.action === 'rotation.test')).toMatchObject({ outcome: 'failure', reason: 'rotation_test_failed' });
    expect(await rotations('rolled_back')).toBe(1);
  }, 15_000);

  it('fails closed when the lock backend is unreachable: no record, no step', async () => {
    locks.down = true;
    await expect(service.start(credential.id)).rejects.toMatchObject({ code: 'rotation_lock_unavailable', status: 503 });
    // An interrupted rotation is due to resume, but the scheduler pass must not resume it unlocked.
    versions.seed('r-lost', JSON.stringify({ client_secret: 'p8e-new-secret-9', adobe_secret_uuid: 'u-lost' }), [STAGE.pending]);
    await expect(service.check(credential.id)).rejects.toMatchObject({ name: 'LockUnavailableError' });
    expect(store.saves).toEqual([]);
    expect(versions.writes).toEqual([]);
    expect(adobe.calls).toEqual([]);
  });

  it('rebuilds an interrupted rotation from the labels when its record was lost, and resumes it at test', async () => {
    // A rotation created its version and died; this instance restarted with an empty record store.
    versions.seed('r-lost', JSON.stringify({ client_secret: 'p8e-new-secret-9', adobe_secret_uuid: 'u-lost' }), [STAGE.pending]);
    adobe.seed('u-lost', 'p8e-new-secret-9', Date.now() - 1_000);

    await service.check(credential.id);
    const state = await settled();
    expect(store.saves[0]?.active).toMatchObject({ id: 'r-lost', trigger: 'recovered', step: 'test', newUuid: 'u-lost', oldUuid: 'u-old' });
    expect(state.active).toMatchObject({ id: 'r-lost', step: 'retire' });
    expect(versions.holder(STAGE.current)).toBe('r-lost');
    expect(audit[0]).toMatchObject({ action: 'rotation.trigger', details: { trigger: 'recovered', rotation_id: 'r-lost' } });
  });

  it('answers a dry run without a lock, a record or a change', async () => {
    adobe.seed('u-orphan', 'p8e-orphan', Date.now() - 2 * RETIRE_AFTER);
    const report = await service.dryRun(credential.id, 'ops');
    expect(report).toMatchObject({ ok: true, currentVersionId: 'v-old', currentUuid: 'u-old', orphan: { uuid: 'u-orphan', action: 'would_delete' } });
    expect(locks.acquired).toBe(0);
    expect(store.saves).toEqual([]);
    expect(adobe.secrets).toHaveLength(2);
    expect(audit).toEqual([expect.objectContaining({ action: 'rotation.prepare', outcome: 'success', callerId: 'ops', details: expect.objectContaining({ dry_run: true }) })]);
  });

  it('refuses credentials without rotation settings', async () => {
    await expect(service.start('unknown')).rejects.toMatchObject({ code: 'rotation_not_configured' });
    await expect(service.check('unknown')).resolves.toBeUndefined();
    expect(locks.acquired).toBe(0);
  });
});
