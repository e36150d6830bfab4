import { call, type BrokerResponse } from '../support/broker-http';
import { CONSOLE_ORG, consoleCredential, eventually, type InProcessBroker, RotationWorld, startInProcess } from '../support/rotation-world';
import { AWSCURRENT, AWSPENDING } from '../support/secrets-manager-emulator';
import { expectProblem } from './e2e.assertions';

interface RotationBody {
  rotation_id: string | null;
  state: string;
  step: string;
  error_code: string | null;
  steps?: { step: string; outcome: string | null; error_code: string | null }[];
  [key: string]: unknown;
}
interface RotationsBody {
  credential_id: string;
  current: RotationBody | null;
  history: RotationBody[];
  current_secret: Record<string, unknown>;
}

const CREDENTIALS = ['rot-happy', 'rot-busy', 'rot-dry', 'rot-young', 'rot-test', 'rot-store', 'rot-unknown'] as const;
/** Environment the AWS SDK reads; set for this file, restored after. */
const AWS_ENV_NAMES = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED'];

describe('client-secret rotation (in-process broker, local mode)', () => {
  let world: RotationWorld;
  let broker: InProcessBroker;
  const savedEnv = new Map<string, string | undefined>();
  const initial = new Map<string, { secret: string; uuid: string }>();

  const admin = (path: string, method = 'GET'): Promise<BrokerResponse> => call(broker.url, path, { apiKey: world.adminKey, method });
  const rotations = async (id: string): Promise<RotationsBody> => (await admin(`/admin/credentials/${id}/rotations`)).body as RotationsBody;
  const finished = (id: string, count = 1): Promise<RotationsBody> =>
    eventually(async () => {
      const body = await rotations(id);
      return body.current === null && body.history.length >= count ? body : undefined;
    }, `rotation of ${id} to finish`);
  /** Whether the IMS emulator mints a token for the client with `secret`. */
  const imsAccepts = async (id: string, secret: string): Promise<boolean> => {
    const response = await fetch(world.ims.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: world.clientId(id), client_secret: secret, scope: 'openid' }),
    });
    return response.status === 200;
  };

  beforeAll(async () => {
    world = await RotationWorld.start();
    for (const [name, value] of Object.entries(world.awsEnv())) {
      savedEnv.set(name, process.env[name]);
      process.env[name] = value;
    }
    // Bare secrets, as an operator stores them at first; two credentials already name their Adobe secret.
    for (const id of CREDENTIALS) initial.set(id, world.seed(id, { json: id === 'rot-dry' || id === 'rot-young' }));
    const config = JSON.parse(world.config(CREDENTIALS.map((id) => ({ id })))) as { credentials: unknown[] };
    // One credential without rotation settings, for the 409 rotation_not_configured case.
    config.credentials.push({
      id: 'plain',
      provider: 'adobe-ims',
      imsUrl: world.ims.url,
      clientId: 'client-plain',
      orgId: 'ROT0000000000000000000AA@AdobeOrg',
      scopes: ['openid'],
      secret: { source: 'env', name: 'ROTATION_E2E_PLAIN' },
    });
    // Boot reads every secret and stops on an unset env variable (test/e2e/boot-checks.e2e-spec.ts).
    savedEnv.set('ROTATION_E2E_PLAIN', process.env.ROTATION_E2E_PLAIN);
    process.env.ROTATION_E2E_PLAIN = 'plain-secret-not-used-by-any-test';
    broker = await startInProcess(JSON.stringify(config), { ROTATION_CHECK_INTERVAL: '200ms' });
  });
  afterAll(async () => {
    await broker?.close();
    await world?.close();
    for (const name of [...AWS_ENV_NAMES, 'ROTATION_E2E_PLAIN']) {
      const value = savedEnv.get(name);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterEach(() => {
    world.adobe.afterAction = undefined;
    world.sm.afterAction = undefined;
    world.sm.mode = 'ok';
  });

  it('rotates on demand through every step while token requests keep succeeding, and retires the old secret', async () => {
    const id = 'rot-happy';
    const old = initial.get(id) as { secret: string; uuid: string };
    const oldVersion = world.currentVersionId(id);
    expect((await call(broker.url, `/v1/tokens/${id}`, { apiKey: world.appKey })).status).toBe(200);

    let loading = true;
    const statuses: number[] = [];
    const load = (async () => {
      while (loading) {
        statuses.push((await call(broker.url, `/v1/tokens/${id}`, { apiKey: world.appKey })).status);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const started = await admin(`/admin/credentials/${id}/rotations`, 'POST');
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/admin/credentials/${id}/rotations`);
    const body = started.body as RotationBody;
    expect(body).toMatchObject({ rotation_id: expect.stringMatching(/^[0-9a-f-]{36}$/), state: 'running', step: 'prepare', trigger: 'operator' });

    const done = await finished(id);
    loading = false;
    await load;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((status) => status === 200)).toBe(true);

    const [rotation] = done.history;
    expect(rotation).toMatchObject({ rotation_id: body.rotation_id, state: 'succeeded', error_code: null });
    expect(rotation?.steps?.filter((s) => s.outcome === 'success').map((s) => s.step)).toEqual(['prepare', 'create', 'test', 'promote', 'retire']);

    // Secrets Manager: AWSCURRENT is the new version (id = rotation id = ClientRequestToken), naming its Adobe
    // secret; AWSPENDING is gone, and AWSPREVIOUS too, since the old secret no longer works.
    expect(world.labels(id)).toEqual({ [body.rotation_id as string]: [AWSCURRENT] });
    const current = world.current(id);
    const adobe = world.adobeSecrets(id);
    expect(adobe).toHaveLength(1);
    expect(adobe[0]).toMatchObject({ uuid: current.adobe_secret_uuid, value: current.client_secret });
    expect(current.adobe_secret_uuid).not.toBe(old.uuid);
    expect(await imsAccepts(id, old.secret)).toBe(false);
    expect(await imsAccepts(id, current.client_secret as string)).toBe(true);
    expect(world.currentVersionId(id)).not.toBe(oldVersion);

    // This instance re-read the secret at promotion; a fresh mint uses the new one.
    expect(done.current_secret).toMatchObject({ version_id: body.rotation_id, instance_version_id: body.rotation_id });
    expect((await admin(`/admin/credentials/${id}/token`, 'DELETE')).status).toBe(204);
    expect((await call(broker.url, `/v1/tokens/${id}`, { apiKey: world.appKey })).status).toBe(200);
    const lastMint = world.ims.requests.filter((r) => r.params['client_id'] === world.clientId(id) && r.params['scope'] === 'openid,AdobeID').at(-1);
    expect(lastMint?.params['client_secret']).toBe(current.client_secret);

    // Management calls carried a token minted with the credential itself, with the I/O Management scopes.
    const managementMints = world.ims.issuedTo(world.clientId(id)).filter((t) => t.scopes.includes('manage_client_secrets'));
    expect(managementMints.length).toBeGreaterThanOrEqual(2);
    expect(managementMints[0]?.scopes).toEqual([
      'AdobeID',
      'openid',
      'read_organizations',
      'additional_info.projectedProductContext',
      'additional_info.roles',
      'adobeio_api',
      'read_client_secret',
      'manage_client_secrets',
    ]);

    // One audit event per step, with the rotation id; no secret in any log line.
    const audit = broker.logs.entries.filter((e) => e['log_type'] === 'audit' && String(e['action']).startsWith('rotation.'));
    const ours = audit.filter((e) => (e['details'] as Record<string, unknown> | undefined)?.['rotation_id'] === body.rotation_id);
    expect(ours.map((e) => [e['action'], e['outcome']])).toEqual(
      expect.arrayContaining([
        ['rotation.trigger', 'success'],
        ['rotation.prepare', 'success'],
        ['rotation.create', 'success'],
        ['rotation.test', 'success'],
        ['rotation.promote', 'success'],
        ['rotation.retire', 'success'],
      ]),
    );
    expect(ours.find((e) => e['action'] === 'rotation.trigger')?.['caller_id']).toBe('ops');
    expect(broker.logs.leaksOf(new Map([['old secret', old.secret], ['new secret', current.client_secret as string]]))).toEqual([]);
  });

  it('answers a second trigger with 409 rotation_in_progress while one runs', async () => {
    const id = 'rot-busy';
    world.adobe.delayMs = 150;
    try {
      const responses = await Promise.all([1, 2, 3].map(() => admin(`/admin/credentials/${id}/rotations`, 'POST')));
      expect(responses.map((r) => r.status).sort()).toEqual([202, 409, 409]);
      for (const refused of responses.filter((r) => r.status === 409)) {
        const problem = expectProblem(refused, 409, 'rotation_in_progress');
        expect(problem.detail).toMatch(/already running/);
      }
      // Still running: another trigger is refused too, and the dry run says the same.
      expectProblem(await admin(`/admin/credentials/${id}/rotations`, 'POST'), 409, 'rotation_in_progress');
    } finally {
      world.adobe.delayMs = 0;
    }
    const done = await finished(id);
    expect(done.history).toHaveLength(1);
    expect(done.history[0]?.state).toBe('succeeded');
    const denied = broker.logs.entries.filter((e) => e['action'] === 'rotation.trigger' && e['credential_id'] === id && e['outcome'] === 'denied');
    expect(denied.length).toBeGreaterThanOrEqual(3);
  });

  it('dry run: runs prepare only and changes nothing; a later rotation deletes the orphan under the rules', async () => {
    const id = 'rot-dry';
    const orphan = world.adobe.addSecretDirectly(CONSOLE_ORG, consoleCredential(id), 'p8e-orphan-from-a-crash', Date.now() - 60_000);
    const labelsBefore = world.labels(id);
    const dry = await admin(`/admin/credentials/${id}/rotations?dryRun=true`, 'POST');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      rotation_id: null,
      dry_run: true,
      state: 'ok',
      adobe_secrets: 2,
      current_adobe_secret_uuid: initial.get(id)?.uuid,
      orphan: { adobe_secret_uuid: orphan, action: 'would_delete' },
    });
    expect(world.adobeSecrets(id)).toHaveLength(2);
    expect(world.labels(id)).toEqual(labelsBefore);
    expect(await rotations(id)).toMatchObject({ current: null, history: [] });

    expect((await admin(`/admin/credentials/${id}/rotations`, 'POST')).status).toBe(202);
    const done = await finished(id);
    expect(done.history[0]?.state).toBe('succeeded');
    const left = world.adobeSecrets(id);
    expect(left.map((s) => s.uuid)).toEqual([world.current(id).adobe_secret_uuid]);
    expect(left.map((s) => s.uuid)).not.toContain(orphan);
  });

  it('stops at prepare with a clear error when the second Adobe secret is too young to be an orphan', async () => {
    const id = 'rot-young';
    const versionBefore = world.currentVersionId(id);
    const young = world.adobe.addSecretDirectly(CONSOLE_ORG, consoleCredential(id), 'p8e-someone-just-added-this');
    const dry = await admin(`/admin/credentials/${id}/rotations?dryRun=true`, 'POST');
    expect(dry.body).toMatchObject({ state: 'blocked', error_code: 'rotation_orphan_too_young', detail: expect.stringMatching(/retireAfter/) });

    expect((await admin(`/admin/credentials/${id}/rotations`, 'POST')).status).toBe(202);
    const failed = await finished(id);
    expect(failed.history[0]).toMatchObject({ state: 'failed', step: 'prepare', error_code: 'rotation_orphan_too_young' });
    expect(world.currentVersionId(id)).toBe(versionBefore);
    expect(world.adobeSecrets(id).map((s) => s.uuid)).toContain(young);

    // Once it is older than retireAfter (1 s), prepare may delete it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await admin(`/admin/credentials/${id}/rotations`, 'POST')).status).toBe(202);
    const done = await finished(id, 2);
    expect(done.history[0]?.state).toBe('succeeded');
    expect(world.adobeSecrets(id).map((s) => s.uuid)).not.toContain(young);
  });

  it('refuses to guess which of two Adobe secrets a bare AWSCURRENT secret is', async () => {
    const id = 'rot-unknown';
    world.adobe.addSecretDirectly(CONSOLE_ORG, consoleCredential(id), 'p8e-second', Date.now() - 60_000);
    const dry = await admin(`/admin/credentials/${id}/rotations?dryRun=true`, 'POST');
    expect(dry.body).toMatchObject({ state: 'blocked', error_code: 'rotation_current_unknown', detail: expect.stringMatching(/adobe_secret_uuid/) });
    expect(world.adobeSecrets(id)).toHaveLength(2);
  });

  it('rolls back when the new secret does not mint: AWSCURRENT untouched, the new Adobe secret deleted', async () => {
    const id = 'rot-test';
    const versionBefore = world.currentVersionId(id);
    const old = initial.get(id) as { secret: string; uuid: string };
    // Adobe adds the secret, but IMS never accepts it (as if it had not propagated).
    world.adobe.afterAction = (action, { uuid }) => {
      if (action !== 'add') return;
      const added = world.adobeSecrets(id).find((s) => s.uuid === uuid);
      if (added) world.ims.removeSecret(world.clientId(id), added.value);
    };
    expect((await admin(`/admin/credentials/${id}/rotations`, 'POST')).status).toBe(202);
    const done = await finished(id);
    expect(done.history[0]).toMatchObject({ state: 'rolled_back', error_code: 'rotation_test_failed' });
    expect(done.history[0]?.steps?.map((s) => [s.step, s.outcome])).toEqual(
      expect.arrayContaining([
        ['test', 'failure'],
        ['rollback', 'success'],
      ]),
    );
    expect(world.currentVersionId(id)).toBe(versionBefore);
    expect(Object.values(world.labels(id)).flat()).not.toContain(AWSPENDING);
    expect(world.adobeSecrets(id).map((s) => s.uuid)).toEqual([old.uuid]);
    expect(await imsAccepts(id, old.secret)).toBe(true);
    expect((await call(broker.url, `/v1/tokens/${id}`, { apiKey: world.appKey })).status).toBe(200);
    const rollback = broker.logs.entries.find((e) => e['action'] === 'rotation.rollback' && e['credential_id'] === id);
    expect(rollback).toMatchObject({ outcome: 'success' });
  });

  it('takes the new secret back at Adobe when Secrets Manager cannot store it (the plaintext exists nowhere else)', async () => {
    const id = 'rot-store';
    const versionBefore = world.currentVersionId(id);
    world.adobe.afterAction = (action) => {
      if (action === 'add') world.sm.mode = 'internal';
      if (action === 'delete') world.sm.mode = 'ok';
    };
    expect((await admin(`/admin/credentials/${id}/rotations`, 'POST')).status).toBe(202);
    const done = await eventually(async () => {
      const body = await rotations(id);
      return body.current === null && body.history.length === 1 ? body : undefined;
    }, 'the rotation to be rolled back', 30_000);
    expect(done.history[0]).toMatchObject({ state: 'rolled_back', error_code: 'secret_store_failed' });
    expect(world.currentVersionId(id)).toBe(versionBefore);
    expect(world.adobeSecrets(id).map((s) => s.uuid)).toEqual([initial.get(id)?.uuid]);
  }, 40_000);

  it('is admin-only, validates its input, and refuses credentials without rotation settings', async () => {
    expectProblem(await call(broker.url, '/admin/credentials/rot-happy/rotations', { apiKey: world.appKey, method: 'POST' }), 403, 'forbidden');
    expectProblem(await call(broker.url, '/admin/credentials/rot-happy/rotations', { method: 'GET' }), 401, 'unauthenticated');
    expectProblem(await admin('/admin/credentials/nope/rotations', 'POST'), 404, 'credential_not_found');
    expectProblem(await admin('/admin/credentials/plain/rotations', 'POST'), 409, 'rotation_not_configured');
    expectProblem(await admin('/admin/credentials/plain/rotations'), 409, 'rotation_not_configured');
    expectProblem(await admin('/admin/credentials/rot-happy/rotations?dryRun=maybe', 'POST'), 400, 'invalid_parameter');
    expectProblem(await admin('/admin/credentials/rot-happy/rotations?force=true', 'POST'), 400, 'invalid_parameter');
  });
});
