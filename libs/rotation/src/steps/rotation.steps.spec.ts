import { Logger } from '@nestjs/common';
import { type FleetEvent, FleetIdentity, LocalFleetBus } from '@broker/fleet';
import { STAGE } from '@broker/secrets';
import { FakeConsole, FakeIssuers, FakeSecretVersionStore, fakeConfig, HOUR, rotatableCredential, SECRET_ID } from '../../../../test/fixtures/rotation.fakes';
import type { AdobeConsoleClient } from '../console/adobe-console.client';
import { ManagementTokens } from '../console/management-tokens';
import type { RotatableCredential } from '../rotatable-credential';
import { newRotation, type RotationRecord } from '../state/rotation-state';
import { RotationSteps, type StepContext, type StepResult } from './rotation.steps';

const RETIRE_AFTER = 60_000;
const OLD = JSON.stringify({ client_secret: 'p8e-old-secret', adobe_secret_uuid: 'u-old' });

describe('RotationSteps', () => {
  let credential: RotatableCredential;
  let versions: FakeSecretVersionStore;
  let adobe: FakeConsole;
  let issuers: FakeIssuers;
  let bus: LocalFleetBus;
  let events: FleetEvent[];
  let steps: RotationSteps;
  /** The steps' clock: ahead of real time, so every use Adobe records before a promotion is older than it. */
  let clock: number;
  let lock: AbortController;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    credential = rotatableCredential({ retireAfterMs: RETIRE_AFTER }) as unknown as RotatableCredential;
    versions = new FakeSecretVersionStore(SECRET_ID);
    versions.seed('v-old', OLD, [STAGE.current], Date.now() - 90 * 24 * HOUR);
    issuers = new FakeIssuers(() => adobe);
    adobe = new FakeConsole(() => issuers.tokens);
    adobe.seed('u-old', 'p8e-old-secret', Date.now() - 90 * 24 * HOUR);
    bus = new LocalFleetBus(new FleetIdentity());
    events = [];
    bus.subscribe((event) => events.push(event));
    const config = fakeConfig(credential);
    steps = new RotationSteps(versions, adobe as unknown as AdobeConsoleClient, new ManagementTokens(issuers.asPort(), config), issuers.asPort(), bus, config);
    clock = Date.now() + 10 * 60_000;
    lock = new AbortController();
  });

  afterEach(() => jest.restoreAllMocks());

  function ctx(record: RotationRecord): StepContext {
    return { credential, record, signal: lock.signal, now: () => clock, checkIntervalMs: 1_000 };
  }

  async function run(record: RotationRecord): Promise<StepResult> {
    return steps.run(ctx(record));
  }

  /** Runs the steps from `record` while they advance; the result that did not advance. */
  async function advanceFrom(record: RotationRecord, order: string[] = []): Promise<{ result: StepResult; order: string[] }> {
    for (;;) {
      order.push(record.step);
      const result = await run(record);
      if (result.kind !== 'advance') return { result, order };
      record = result.record;
    }
  }

  it('walks prepare → create → test → promote → retire, then waits retireAfter before deleting the old secret', async () => {
    const { result, order } = await advanceFrom(newRotation('r1', 'operator', clock));
    expect(order).toEqual(['prepare', 'create', 'test', 'promote', 'retire']);
    // Promoted: AWSCURRENT on the new version, AWSPREVIOUS on the old, and every instance told.
    expect(versions.holder(STAGE.current)).toBe('r1');
    expect(versions.holder(STAGE.previous)).toBe('v-old');
    expect(versions.holder(STAGE.pending)).toBeUndefined();
    expect(events).toEqual([{ type: 'secret-changed', credentialId: credential.id, origin: bus.instanceId }]);
    // The test step minted with the new secret and the credential's own scopes.
    expect(issuers.minted).toContainEqual({ scopes: ['openid'], secret: 'p8e-new-secret-1' });
    // retireAfter has not passed: both secrets stay at Adobe.
    expect(result).toMatchObject({ kind: 'wait', reason: 'retire_after', until: clock + RETIRE_AFTER });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old', 'u-new-1']);
    if (result.kind !== 'wait') throw new Error('expected a wait');
    expect(result.record).toMatchObject({ step: 'retire', promotedAt: clock, oldUuid: 'u-old', newUuid: 'u-new-1', oldVersionId: 'v-old' });

    clock += RETIRE_AFTER;
    const retired = await run(result.record);
    expect(retired).toMatchObject({ kind: 'finish', outcome: 'succeeded', record: { retiredAt: clock } });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-new-1']);
    expect(versions.holder(STAGE.previous)).toBeUndefined();
    expect(versions.writes).toEqual(['put r1 AWSPENDING', 'move AWSCURRENT r1', 'remove AWSPENDING r1', 'remove AWSPREVIOUS v-old']);
    // The stored version keeps its Adobe uuid next to the secret.
    expect(JSON.parse(versions.versions.get('r1')?.value ?? '')).toEqual({ client_secret: 'p8e-new-secret-1', adobe_secret_uuid: 'u-new-1' });
  });

  it('waits while Adobe reports use of the old secret after promotion, until maxRetireWait forces the delete', async () => {
    const { result } = await advanceFrom(newRotation('r1', 'operator', clock));
    if (result.kind !== 'wait') throw new Error('expected a wait');
    const promotedAt = clock;
    adobe.use('p8e-old-secret', promotedAt + 30_000); // a straggler minted with the old secret
    clock = promotedAt + RETIRE_AFTER + 1;
    expect(await run(result.record)).toMatchObject({ kind: 'wait', reason: 'old_secret_in_use', until: promotedAt + 30_000 + RETIRE_AFTER + 1 });
    expect(adobe.calls.filter((c) => c.startsWith('delete'))).toEqual([]);

    adobe.use('p8e-old-secret', promotedAt + 24 * HOUR - 1_000);
    clock = promotedAt + 24 * HOUR;
    expect(await run(result.record)).toMatchObject({ kind: 'finish', outcome: 'succeeded', details: { old_uuid: 'u-old', forced: true } });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-new-1']);
  });

  it('refuses to retire when AWSCURRENT was moved off the new version (a manual roll back), deleting nothing', async () => {
    const { result } = await advanceFrom(newRotation('r1', 'operator', clock));
    if (result.kind !== 'wait') throw new Error('expected a wait');
    await versions.moveStage(SECRET_ID, STAGE.current, 'v-old', 'r1');
    clock += RETIRE_AFTER;
    await expect(run(result.record)).rejects.toMatchObject({ code: 'rotation_current_changed' });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old', 'u-new-1']);
  });

  it('fails the test step when the new secret mints no token, and rollback deletes it at Adobe and takes AWSPENDING off', async () => {
    let record = newRotation('r1', 'operator', clock);
    for (const step of ['prepare', 'create'] as const) {
      const result = await run(record);
      expect(result).toMatchObject({ kind: 'advance', record: { step: step === 'prepare' ? 'create' : 'test' } });
      record = result.record;
    }
    issuers.rejecting.add('p8e-new-secret-1');
    await expect(run(record)).rejects.toMatchObject({ code: 'rotation_test_failed' });

    const rolledBack = await run({ ...record, step: 'rollback' });
    expect(rolledBack).toMatchObject({ kind: 'finish', outcome: 'rolled_back', details: { new_uuid: 'u-new-1' } });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old']);
    expect(adobe.calls).toContain('delete u-new-1');
    expect(versions.holder(STAGE.current)).toBe('v-old');
    expect(versions.holder(STAGE.pending)).toBeUndefined();
    expect(events).toEqual([]);
  }, 15_000);

  it('promotes instead of rolling back when AWSCURRENT is already on the new version (a lost promote answer)', async () => {
    let record = newRotation('r1', 'operator', clock);
    for (let i = 0; i < 3; i++) record = ((await run(record)) as Extract<StepResult, { kind: 'advance' }>).record;
    expect(record.step).toBe('promote');
    await versions.moveStage(SECRET_ID, STAGE.current, 'r1', 'v-old');
    const result = await run({ ...record, step: 'rollback' });
    expect(result).toMatchObject({ kind: 'advance', record: { step: 'retire', promotedAt: clock }, details: { already_promoted: true } });
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old', 'u-new-1']);
    expect(events.map((e) => e.type)).toEqual(['secret-changed']);
  });

  it('takes the new secret back from Adobe when Secrets Manager cannot store it', async () => {
    const created = await run(newRotation('r1', 'operator', clock));
    versions.failing.add('putVersion');
    await expect(run(created.record)).rejects.toMatchObject({ code: 'secret_store_failed' });
    expect(adobe.calls).toEqual(['list', 'list', 'add u-new-1', 'delete u-new-1']);
    expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old']);
  }, 15_000);

  it('resumes an interrupted create from the stored version instead of adding a second secret', async () => {
    const created = await run(newRotation('r1', 'operator', clock));
    const first = await run(created.record);
    // The answer was lost: the same create runs again.
    const again = await run(created.record);
    expect(again).toMatchObject({ kind: 'advance', record: { step: 'test', newUuid: 'u-new-1' }, details: { resumed: true } });
    expect(first.record).toMatchObject({ newUuid: 'u-new-1' });
    expect(adobe.calls.filter((c) => c.startsWith('add'))).toEqual(['add u-new-1']);
  });

  describe('prepare', () => {
    it('deletes an orphan older than retireAfter (a crashed create) and reports it', async () => {
      adobe.seed('u-orphan', 'p8e-orphan', clock - RETIRE_AFTER - 1);
      const result = await run(newRotation('r1', 'operator', clock));
      expect(result).toMatchObject({ kind: 'advance', record: { step: 'create', oldUuid: 'u-old', oldVersionId: 'v-old' }, details: { orphan_deleted: 'u-orphan' } });
      expect(adobe.secrets.map((s) => s.uuid)).toEqual(['u-old']);
    });

    it('reports what it would delete on a dry run, changing nothing', async () => {
      adobe.seed('u-orphan', 'p8e-orphan', clock - RETIRE_AFTER - 1);
      const report = await steps.prepare(ctx(newRotation('dry-run', 'operator', clock)), true);
      expect(report).toEqual({ currentVersionId: 'v-old', currentUuid: 'u-old', adobeSecrets: 2, orphan: { uuid: 'u-orphan', ageMs: RETIRE_AFTER + 1, action: 'would_delete' } });
      expect(adobe.secrets).toHaveLength(2);
      expect(versions.writes).toEqual([]);
    });

    it('asks to come back when the orphan is younger than retireAfter (it may belong to a running create)', async () => {
      adobe.seed('u-orphan', 'p8e-orphan', clock - 1_000);
      await expect(run(newRotation('r1', 'operator', clock))).rejects.toMatchObject({ code: 'rotation_orphan_too_young', retryAt: clock - 1_000 + RETIRE_AFTER + 1 });
      expect(adobe.secrets).toHaveLength(2);
    });

    it('never deletes a second secret that a labelled version references', async () => {
      versions.seed('v-other', JSON.stringify({ client_secret: 'p8e-other', adobe_secret_uuid: 'u-other' }), [STAGE.previous]);
      adobe.seed('u-other', 'p8e-other', clock - 30 * 24 * HOUR);
      await expect(run(newRotation('r1', 'operator', clock))).rejects.toMatchObject({ code: 'rotation_secret_limit' });
      expect(adobe.secrets).toHaveLength(2);
    });

    it('stops on an AWSPENDING the broker did not create', async () => {
      versions.seed('v-foreign', JSON.stringify({ client_secret: 'x' }), [STAGE.pending]);
      await expect(run(newRotation('r1', 'operator', clock))).rejects.toMatchObject({ code: 'rotation_foreign_pending' });
      expect(adobe.calls).toEqual([]);
    });
  });

  it('runs nothing once the lock is lost', async () => {
    lock.abort();
    await expect(run(newRotation('r1', 'operator', clock))).rejects.toMatchObject({ code: 'rotation_lock_lost' });
    expect(adobe.calls).toEqual([]);
    expect(issuers.minted).toEqual([]);
  });
});
