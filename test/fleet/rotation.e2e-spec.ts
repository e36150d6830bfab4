import { randomBytes } from 'node:crypto';
import { jitterMs } from '@broker/rotation';
import { BrokerProcess } from '../support/broker-process';
import { call } from '../support/broker-http';
import { redisCommand, type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { eventually, RotationWorld } from '../support/rotation-world';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../support/secrets-manager-emulator';

interface RotationBody {
  rotation_id: string | null;
  state: string;
  step: string;
  trigger?: string;
  error_code: string | null;
}
interface RotationsBody {
  current: RotationBody | null;
  history: RotationBody[];
  current_secret: { version_id: string | null; instance_version_id: string | null };
}

/** The rotation lock's TTL: a SIGKILLed holder's lock frees itself after it. */
const LOCK_TTL_MS = 5_000;
const CHECK_INTERVAL = '250ms';

/**
 * Real broker processes against the emulators (IMS, I/O Management API, Secrets Manager) running in this
 * process: what survives a SIGKILL at each step boundary, in fleet mode (record in Redis, another instance
 * resumes) and in local mode (record lost, rebuilt from the Secrets Manager labels after a restart).
 */
describe('secret rotation across real broker processes', () => {
  let world: RotationWorld;
  /** Every secret value that existed, for the no-secrets-in-logs check at the end. */
  const secretValues = new Map<string, string>();
  /** Moments when AWSCURRENT held a secret Adobe (hence IMS) no longer accepts: must stay empty. */
  const invariantBreaks: string[] = [];
  const processes: BrokerProcess[] = [];
  let smHook: ((action: string, input: Readonly<Record<string, unknown>>) => void | Promise<void>) | undefined;
  let consoleHook: ((action: 'list' | 'add' | 'delete', detail: { uuid?: string }) => void | Promise<void>) | undefined;
  let watched: string[] = [];

  /** At every call a broker makes, AWSCURRENT of every watched credential must be a secret Adobe holds. */
  function checkInvariant(where: string): void {
    for (const id of watched) {
      const current = world.current(id);
      const secret = current.client_secret ?? current.raw;
      if (!world.adobeSecrets(id).some((s) => s.value === secret)) invariantBreaks.push(`${id} at ${where}`);
    }
  }

  async function start(config: string, env: Record<string, string>): Promise<BrokerProcess> {
    const broker = await BrokerProcess.start({ config, env: { ...world.awsEnv(), ROTATION_CHECK_INTERVAL: CHECK_INTERVAL, SHUTDOWN_DRAIN: '0', ...env } });
    processes.push(broker);
    return broker;
  }
  async function kill(broker: BrokerProcess): Promise<void> {
    broker.signal('SIGKILL');
    await broker.exited;
  }
  const post = (broker: BrokerProcess, id: string, query = '') =>
    call(broker.url, `/admin/credentials/${id}/rotations${query}`, { apiKey: world.adminKey, method: 'POST' });
  const rotations = async (broker: BrokerProcess, id: string): Promise<RotationsBody> =>
    (await call(broker.url, `/admin/credentials/${id}/rotations`, { apiKey: world.adminKey })).body as RotationsBody;
  const outcomeOf = (broker: BrokerProcess, id: string, rotationId: string, timeoutMs = 20_000) =>
    eventually(async () => (await rotations(broker, id)).history.find((r) => r.rotation_id === rotationId), `rotation ${rotationId} of ${id} to end`, timeoutMs, 100);

  /** After a rotation ends: one Adobe secret, it is AWSCURRENT, no pending or previous label, IMS takes it. */
  async function expectConverged(broker: BrokerProcess, id: string): Promise<void> {
    const current = world.current(id);
    expect(world.adobeSecrets(id).map((s) => ({ uuid: s.uuid, value: s.value }))).toEqual([{ uuid: current.adobe_secret_uuid, value: current.client_secret }]);
    const labels = Object.values(world.labels(id)).flat();
    expect(labels).toEqual([AWSCURRENT]);
    expect(labels).not.toContain(AWSPENDING);
    expect(labels).not.toContain(AWSPREVIOUS);
    await call(broker.url, `/admin/credentials/${id}/token`, { apiKey: world.adminKey, method: 'DELETE' });
    const token = await call(broker.url, `/v1/tokens/${id}`, { apiKey: world.appKey });
    expect(token.status).toBe(200);
    const mint = world.ims.requests.filter((r) => r.params['client_id'] === world.clientId(id) && r.params['scope'] === 'openid,AdobeID').at(-1);
    expect(mint?.params['client_secret']).toBe(current.client_secret);
  }

  beforeAll(async () => {
    world = await RotationWorld.start();
    world.sm.afterAction = async (action, input) => {
      checkInvariant(`Secrets Manager ${action}`);
      await smHook?.(action, input);
    };
    world.adobe.afterAction = async (action, detail) => {
      if (action === 'add') for (const s of world.adobeSecrets(watched[0] ?? '')) secretValues.set(s.uuid, s.value);
      for (const id of watched) for (const s of world.adobeSecrets(id)) secretValues.set(s.uuid, s.value);
      checkInvariant(`Adobe ${action}`);
      await consoleHook?.(action, detail);
    };
  });
  afterAll(async () => {
    await Promise.all(processes.map((broker) => broker.stop()));
    await world?.close();
    await stopAllRedis();
  });
  afterEach(() => {
    smHook = undefined;
    consoleHook = undefined;
  });

  describe('fleet mode: two instances, one Redis', () => {
    let redis: RedisServer;
    let env: Record<string, string>;
    let config: string;
    let a: BrokerProcess;
    let b: BrokerProcess;
    const ids = ['fleet-load', 'fleet-crash', 'fleet-sched', 'fleet-cron'];
    let slot: number;

    beforeAll(async () => {
      redis = await startRedis();
      for (const id of ids) world.seed(id);
      watched = ids;
      // One 6-field cron slot (UTC) after the fleet is up and the first test is done; window 1s.
      slot = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
      const at = new Date(slot);
      const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
      config = world.config([
        { id: 'fleet-load' },
        { id: 'fleet-crash' },
        { id: 'fleet-sched', rotation: { schedule: cron } },
        { id: 'fleet-cron', rotation: { schedule: cron } },
      ]);
      env = { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}` };
      [a, b] = await Promise.all([start(config, env), start(config, env)]);
    }, 60_000);

    it('one rotation for simultaneous triggers on both instances; no failed token request; every instance switches; IMS then rejects the old secret', async () => {
      const id = 'fleet-load';
      const old = world.current(id).raw;
      world.ims.tokenLifetimeSeconds = 3_600;
      let loading = true;
      const statuses: number[] = [];
      const load = Promise.all(
        [a, b].map(async (broker) => {
          while (loading) {
            statuses.push((await broker.get(`/v1/tokens/${id}`, world.appKey)).status);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));

      const triggers = await Promise.all([post(a, id), post(b, id), post(a, id), post(b, id)]);
      expect(triggers.map((t) => t.status).sort()).toEqual([202, 409, 409, 409]);
      for (const refused of triggers.filter((t) => t.status === 409)) {
        expect(refused.body).toMatchObject({ status: 409, code: 'rotation_in_progress', detail: expect.stringMatching(/already running/) });
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      const rotationId = (triggers.find((t) => t.status === 202)?.body as RotationBody).rotation_id as string;

      // Right after promotion (before retire) both instances hold the new version.
      await eventually(async () => {
        const views = await Promise.all([rotations(a, id), rotations(b, id)]);
        return views.every((v) => v.current_secret.instance_version_id === rotationId) ? true : undefined;
      }, 'both instances to re-read the promoted secret', 10_000, 50);

      expect(await outcomeOf(a, id, rotationId)).toMatchObject({ state: 'succeeded', error_code: null });
      loading = false;
      await load;
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect((await rotations(b, id)).history.map((r) => r.rotation_id)).toEqual([rotationId]);

      // The old secret is gone at Adobe, hence at IMS; every instance mints with the new one.
      expect(world.adobeSecrets(id).map((s) => s.value)).not.toContain(old);
      for (const broker of [a, b]) {
        await call(broker.url, `/admin/credentials/${id}/token`, { apiKey: world.adminKey, method: 'DELETE' });
        expect((await broker.get(`/v1/tokens/${id}`, world.appKey)).status).toBe(200);
        const mint = world.ims.requests.filter((r) => r.params['client_id'] === world.clientId(id) && r.params['scope'] === 'openid,AdobeID').at(-1);
        expect(mint?.params['client_secret']).toBe(world.current(id).client_secret);
      }
      const rejected = world.ims.requests.filter((r) => r.params['client_id'] === world.clientId(id) && r.status === 401);
      expect(rejected).toEqual([]);
      const oldTry = await fetch(world.ims.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: world.clientId(id), client_secret: old, scope: 'openid' }),
      });
      expect(oldTry.status).toBe(401);
      // The record lives in Redis under the credential's hash tag, next to its lock.
      expect(await redisCommand(redis.port, ['EXISTS', `tb:{cred:${id}}:rotation`])).toBe(1);
    }, 60_000);

    it('a schedule fires once per fleet; an operator trigger during it gets 409', async () => {
      const sched = 'fleet-sched';
      const cron = 'fleet-cron';
      const startAt = (id: string) => slot + jitterMs(id, slot, 500); // jittered over the first half of the 1 s window
      if (Date.now() > startAt(sched)) throw new Error('the fleet came up too late for the scheduled slot; raise the margin');
      // The operator fires at both instances right when the schedule of fleet-sched starts.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt(sched) - Date.now())));
      const operator = await Promise.all([post(a, sched), post(b, sched)]);
      const accepted = operator.filter((r) => r.status === 202);
      expect(accepted.length).toBeLessThanOrEqual(1);
      expect(operator.filter((r) => r.status !== 202).map((r) => (r.body as { code?: string }).code)).toEqual(
        Array(2 - accepted.length).fill('rotation_in_progress'),
      );

      for (const id of [sched, cron]) {
        const done = await eventually(async () => {
          const view = await rotations(a, id);
          return view.current === null && view.history.length > 0 ? view : undefined;
        }, `the rotation of ${id}`, 20_000, 100);
        expect(done.history).toHaveLength(1);
        expect(done.history[0]?.state).toBe('succeeded');
      }
      expect((await rotations(a, cron)).history[0]?.trigger).toBe('schedule');
      // Nothing more starts for that slot (its window has passed).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const id of [sched, cron]) expect((await rotations(b, id)).history).toHaveLength(1);
      const triggers = [a, b].flatMap((broker) =>
        broker.logEntries().filter((e) => e['action'] === 'rotation.trigger' && e['outcome'] === 'success' && (e['credential_id'] === sched || e['credential_id'] === cron)),
      );
      expect(triggers).toHaveLength(2);
    }, 60_000);

    /**
     * Each case SIGKILLs the instance driving the rotation right after the named call took effect (its answer
     * never arrives); the other instance resumes from the record in Redis once the lock's TTL has passed.
     * Retire runs on whichever instance's check comes first, so that case kills the whole fleet instead, and
     * a fresh instance resumes from Redis alone.
     */
    const boundaries: [string, 'driver' | 'fleet', (ctx: { kill: () => Promise<void>; rotationId: () => string | undefined }) => void][] = [
      ['during prepare (Adobe list answered)', 'driver', ({ kill }) => (consoleHook = (action) => (action === 'list' ? kill() : undefined))],
      ["during create, after Adobe's add (the plaintext is lost: an orphan)", 'driver', ({ kill }) => (consoleHook = (action) => (action === 'add' ? kill() : undefined))],
      ['during create, after PutSecretValue (AWSPENDING stored)', 'driver', ({ kill }) => (smHook = (action) => (action === 'PutSecretValue' ? kill() : undefined))],
      [
        'during test (the pending version was read)',
        'driver',
        ({ kill, rotationId }) => (smHook = (action, input) => (action === 'GetSecretValue' && input['VersionId'] === rotationId() ? kill() : undefined)),
      ],
      [
        'during promote, after AWSCURRENT moved',
        'driver',
        ({ kill }) => (smHook = (action, input) => (action === 'UpdateSecretVersionStage' && input['VersionStage'] === AWSCURRENT ? kill() : undefined)),
      ],
      ["during retire, after Adobe's delete", 'fleet', ({ kill }) => (consoleHook = (action) => (action === 'delete' ? kill() : undefined))],
    ];

    it.each(boundaries)('SIGKILL %s (%s killed): the rotation resumes elsewhere and converges', async (_name, scope, arm) => {
      const id = 'fleet-crash';
      const versionBefore = world.currentVersionId(id);
      const orphansBefore = new Set(world.adobeSecrets(id).map((s) => s.uuid));
      const started: { rotationId?: string } = {};
      let killed = false;
      const victim = a;
      let survivor = b;
      arm({
        kill: async () => {
          if (killed) return;
          killed = true;
          await Promise.all(scope === 'fleet' ? [kill(a), kill(b)] : [kill(victim)]);
        },
        rotationId: () => started.rotationId,
      });
      const startedAt = Date.now();
      const response = await post(victim, id);
      expect(response.status).toBe(202);
      const rotationId = (response.body as RotationBody).rotation_id as string;
      started.rotationId = rotationId;
      await eventually(() => (killed ? true : undefined), 'the victim to be killed at the boundary', 10_000);
      smHook = undefined;
      consoleHook = undefined;
      if (scope === 'fleet') {
        survivor = await start(config, env);
        b = survivor;
      }

      expect(await outcomeOf(survivor, id, rotationId, 30_000)).toMatchObject({ state: 'succeeded' });
      // The survivor could only take over once the dead holder's lock had expired.
      expect(Date.now() - startedAt).toBeGreaterThan(LOCK_TTL_MS / 2);
      expect(world.currentVersionId(id)).toBe(rotationId);
      expect(world.currentVersionId(id)).not.toBe(versionBefore);
      await expectConverged(survivor, id);
      for (const uuid of orphansBefore) expect(world.adobeSecrets(id).map((s) => s.uuid)).not.toContain(uuid);
      // The victim comes back as a fresh instance for the next case.
      a = await start(config, env);
    }, 60_000);

    it('kept AWSCURRENT on a secret Adobe accepts at every call any instance made', () => {
      expect(invariantBreaks).toEqual([]);
    });
  });

  describe('local mode: one process, record in memory, rebuilt from the labels after a restart', () => {
    let config: string;
    const id = 'local-crash';

    beforeAll(() => {
      world.seed(id, { json: true });
      watched = [id];
      config = world.config([{ id }]);
    });

    const cases: [string, (kill: () => Promise<void>) => void][] = [
      ['after PutSecretValue (resumes at test)', (kill) => (smHook = (action) => (action === 'PutSecretValue' ? kill() : undefined))],
      ['after AWSCURRENT moved (resumes at retire)', (kill) => (smHook = (action, input) => (action === 'UpdateSecretVersionStage' && input['VersionStage'] === AWSCURRENT ? kill() : undefined))],
      ["after Adobe's delete in retire (resumes at retire)", (kill) => (consoleHook = (action) => (action === 'delete' ? kill() : undefined))],
    ];

    it.each(cases)('SIGKILL %s, restart: the rotation converges', async (_name, arm) => {
      const broker = await start(config, {});
      let killed = false;
      arm(async () => {
        if (killed) return;
        killed = true;
        await kill(broker);
      });
      const started = await post(broker, id);
      expect(started.status).toBe(202);
      const rotationId = (started.body as RotationBody).rotation_id as string;
      await eventually(() => (killed ? true : undefined), 'the broker to be killed', 10_000);
      smHook = undefined;
      consoleHook = undefined;

      const restarted = await start(config, {});
      // The history died with the process; the rebuilt rotation carries the new version's id.
      const done = await eventually(async () => {
        const view = await rotations(restarted, id);
        return view.current === null && view.history.length > 0 ? view.history[0] : undefined;
      }, 'the rebuilt rotation to end', 20_000, 100);
      expect(done).toMatchObject({ state: 'succeeded', trigger: 'recovered', rotation_id: rotationId });
      expect(world.currentVersionId(id)).toBe(rotationId);
      await expectConverged(restarted, id);
      await restarted.stop();
    }, 60_000);

    it("SIGKILL right after Adobe's add: the orphan is cleaned up by the next rotation's prepare", async () => {
      const broker = await start(config, {});
      let killed = false;
      consoleHook = async (action) => {
        if (action !== 'add' || killed) return;
        killed = true;
        await kill(broker);
      };
      expect((await post(broker, id)).status).toBe(202);
      await eventually(() => (killed ? true : undefined), 'the broker to be killed', 10_000);
      consoleHook = undefined;
      const versionBefore = world.currentVersionId(id);
      expect(world.adobeSecrets(id)).toHaveLength(2);
      // Nothing in Secrets Manager refers to the new Adobe secret: no label says a rotation is unfinished.
      expect(Object.values(world.labels(id)).flat()).toEqual([AWSCURRENT]);

      const restarted = await start(config, {});
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(world.currentVersionId(id)).toBe(versionBefore);
      const started = await post(restarted, id);
      expect(started.status).toBe(202);
      const rotationId = (started.body as RotationBody).rotation_id as string;
      expect(await outcomeOf(restarted, id, rotationId)).toMatchObject({ state: 'succeeded' });
      await expectConverged(restarted, id);
      await restarted.stop();
    }, 60_000);

    it('kept AWSCURRENT on a secret Adobe accepts, and no process logged a secret', () => {
      expect(invariantBreaks).toEqual([]);
      const lines = processes.flatMap((p) => p.lines).join('\n');
      for (const [label, value] of world.knownSecrets) secretValues.set(label, value);
      for (const [uuid, value] of secretValues) {
        if (lines.includes(value)) throw new Error(`secret ${uuid} appears in a broker log`);
      }
      expect(secretValues.size).toBeGreaterThan(5);
    });
  });
});
