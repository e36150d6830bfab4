import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, type CredentialInput, type SecretInput, startBroker } from '../support/broker-app';
import { call, elapse } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { SecretsManagerEmulator } from '../support/secrets-manager-emulator';
import { expectProblem, expectToken } from './e2e.assertions';

const API_KEY = `secrets-key-${randomBytes(16).toString('hex')}`;
const ENV_NAME = 'E2E_BROKER_CLIENT_SECRET';
/** Environment the AWS SDK reads (endpoint, region, static credentials); restored after the file. */
const AWS_ENV_NAMES = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED', ENV_NAME];

/** One IMS client per source, each accepting only its own secret: a 200 proves which secret was sent. */
const secrets = {
  awsPlain: `aws-plain-${randomBytes(16).toString('hex')}`,
  awsJson: `aws-json-${randomBytes(16).toString('hex')}`,
  file: `file-${randomBytes(16).toString('hex')}`,
  env: `env-${randomBytes(16).toString('hex')}`,
  cachedAws: `cached-aws-${randomBytes(16).toString('hex')}`,
  cachedFile: `cached-file-${randomBytes(16).toString('hex')}`,
};

interface HealthBody {
  status: string;
  info?: Record<string, { status: string } & Record<string, unknown>>;
  error?: Record<string, { status: string } & Record<string, unknown>>;
  details: Record<string, { status: string } & Record<string, unknown>>;
}

describe('client secret sources', () => {
  let ims: ImsEmulator;
  let sm: SecretsManagerEmulator;
  let secretDir: string;
  const savedEnv = new Map<string, string | undefined>();

  function credential(id: string, secret: SecretInput): CredentialInput {
    return { id, imsUrl: ims.url, clientId: `client-${id}`, secret };
  }
  async function brokerWith(credentials: CredentialInput[], extra: { tokens?: Record<string, string>; secrets?: Record<string, string> } = {}) {
    return startBroker({ file: { credentials, callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['*'] }], ...extra } });
  }
  /** The client_secret IMS received in the last request of a client. */
  function secretSentBy(clientId: string): string | undefined {
    return ims.requests.filter((r) => r.params['client_id'] === clientId).at(-1)?.params['client_secret'];
  }

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    sm = await SecretsManagerEmulator.start();
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-secrets-'));
    for (const name of AWS_ENV_NAMES) savedEnv.set(name, process.env[name]);
    // The broker's AWS SDK client is built from the standard environment, as in production.
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.url;
    process.env.AWS_REGION = sm.region;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDE2ETESTONLY';
    process.env.AWS_SECRET_ACCESS_KEY = 'e2e-not-a-real-aws-secret';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    // The env source reads the environment the config lib captured when the app was created.
    process.env[ENV_NAME] = secrets.env;
  });
  afterAll(async () => {
    await ims.close();
    await sm.close();
    rmSync(secretDir, { recursive: true, force: true });
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterEach(() => {
    ims.reset();
    sm.reset();
  });

  describe('every source, all reachable', () => {
    let broker: BrokerUnderTest;
    let bootReads: SecretsManagerEmulator['requests'];

    beforeAll(async () => {
      sm.putSecret('e2e/plain', secrets.awsPlain);
      sm.putSecret('e2e/json', JSON.stringify({ client_id: 'ignored', client_secret: secrets.awsJson, note: 'other fields are fine' }));
      writeFileSync(join(secretDir, 'file-secret'), `${secrets.file}\n`, { mode: 0o600 });
      ims.addClient({ clientId: 'client-aws-plain', secrets: [secrets.awsPlain] });
      ims.addClient({ clientId: 'client-aws-json', secrets: [secrets.awsJson] });
      ims.addClient({ clientId: 'client-file', secrets: [secrets.file] });
      ims.addClient({ clientId: 'client-env', secrets: [secrets.env] });
      broker = await brokerWith([
        credential('aws-plain', { source: 'aws', secretId: 'e2e/plain' }),
        credential('aws-json', { source: 'aws', secretId: 'e2e/json', versionStage: 'AWSCURRENT' }),
        credential('file', { source: 'file', path: join(secretDir, 'file-secret') }),
        credential('env', { source: 'env', name: ENV_NAME }),
      ]);
      bootReads = [...sm.requests];
    });
    afterAll(() => broker.close());

    it.each([
      ['aws-plain', 'a plain SecretString', secrets.awsPlain],
      ['aws-json', 'a JSON SecretString with client_secret', secrets.awsJson],
      ['file', 'a file (trailing newline trimmed)', secrets.file],
      ['env', 'an environment variable', secrets.env],
    ])('mints %s with the client secret from %s', async (id, _what, secret) => {
      const body = expectToken(await call(broker.url, `/v1/tokens/${id}`, { apiKey: API_KEY }), id);
      expect(body.access_token).toBe(ims.issued.at(-1)?.token);
      expect(secretSentBy(`client-${id}`)).toBe(secret);
      if (id.startsWith('aws-')) {
        // Through the real SDK: a signed GetSecretValue for the configured id and stage.
        // Boot read every secret (and cached it), so the request to look at is boot's.
        const read = bootReads.filter((r) => r.action === 'GetSecretValue' && r.input['SecretId'] === (id === 'aws-plain' ? 'e2e/plain' : 'e2e/json')).at(-1);
        expect(read?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
        expect(read?.input).toEqual({ SecretId: id === 'aws-plain' ? 'e2e/plain' : 'e2e/json', VersionStage: 'AWSCURRENT' });
      }
    });

    it('is ready, with every source up; live too', async () => {
      const ready = await call(broker.url, '/health/ready');
      expect(ready.status).toBe(200);
      const body = ready.body as HealthBody;
      expect(body.status).toBe('ok');
      expect(body.details['config']).toMatchObject({ status: 'up', credentials: 4 });
      expect(body.details['secrets']).toEqual({
        status: 'up',
        aws: { available: 2, unavailable: [] },
        file: { available: 1, unavailable: [] },
        env: { available: 1, unavailable: [] },
      });
      expect(ready.text).not.toContain(secrets.awsPlain);
      expect(ready.headers.get('cache-control')).toBe('no-store');

      const live = await call(broker.url, '/health/live');
      expect(live.status).toBe(200);
      expect((live.body as HealthBody).status).toBe('ok');
    });
  });

  describe('an aws secret that cannot be read (boot goes on; env and file ones stop it: test/e2e/boot-checks.e2e-spec.ts)', () => {
    let broker: BrokerUnderTest;

    beforeAll(async () => {
      sm.putSecret('e2e/no-client-secret', JSON.stringify({ password: `pw-${randomBytes(8).toString('hex')}` }));
      broker = await brokerWith([
        credential('aws-missing', { source: 'aws', secretId: 'e2e/does-not-exist' }),
        credential('aws-no-field', { source: 'aws', secretId: 'e2e/no-client-secret' }),
      ]);
    });
    afterAll(() => broker.close());

    it('warned once per credential at boot, with the SDK\'s own cause', () => {
      const warned = broker.logs.entries.filter((e) => e['msg'] === 'secret not readable at boot; starting anyway and retrying when it is needed');
      expect(warned.map((e) => [e['level'], e['credential_id'], e['reason']]).sort()).toEqual([
        ['warn', 'aws-missing', "Secrets Manager GetSecretValue for e2e/does-not-exist failed: ResourceNotFoundException: Secrets Manager can't find the specified secret."],
        ['warn', 'aws-no-field', 'the secret holds no client secret (a string, or JSON with "client_secret")'],
      ]);
    });

    it.each(['aws-missing', 'aws-no-field'])('answers 503 secret_unavailable for %s without calling IMS', async (id) => {
      const response = await call(broker.url, `/v1/tokens/${id}`, { apiKey: API_KEY });
      expectProblem(response, 503, 'secret_unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(ims.calls).toBe(0);
    });

    it('is not ready: no credential can be served; the body gives each cause', async () => {
      const ready = await call(broker.url, '/health/ready');
      expect(ready.status).toBe(503);
      const body = ready.body as HealthBody;
      expect(body.status).toBe('error');
      expect(body.error?.['credentials']).toMatchObject({ status: 'down', servable: 0, total: 2 });
      expect(body.error?.['secrets']).toMatchObject({
        status: 'degraded',
        aws: { available: 0, unavailable: ['aws-missing', 'aws-no-field'] },
        failing: { 'aws-missing': expect.stringContaining("ResourceNotFoundException: Secrets Manager can't find the specified secret.") },
      });
      expect(ready.text).not.toMatch(/at .*\.(ts|js):\d+/);
    });
  });

  describe('the source fails after the secret was cached', () => {
    let broker: BrokerUnderTest;
    const cachedFile = () => join(secretDir, 'cached-file-secret');

    beforeAll(async () => {
      sm.putSecret('e2e/cached', secrets.cachedAws);
      writeFileSync(cachedFile(), secrets.cachedFile, { mode: 0o600 });
      ims.addClient({ clientId: 'client-aws-cached', secrets: [secrets.cachedAws] });
      ims.addClient({ clientId: 'client-file-cached', secrets: [secrets.cachedFile] });
      broker = await brokerWith(
        [
          credential('aws-cached', { source: 'aws', secretId: 'e2e/cached' }),
          credential('file-cached', { source: 'file', path: cachedFile() }),
        ],
        { secrets: { cacheTtl: '500ms' }, tokens: { minRefreshInterval: '1s' } },
      );
    });
    afterAll(() => broker.close());

    it('keeps minting with the cached secret while Secrets Manager is unavailable, and stays ready', async () => {
      const first = expectToken(await call(broker.url, '/v1/tokens/aws-cached?min_ttl=0', { apiKey: API_KEY }), 'aws-cached');
      // Read at boot, and again once the 500 ms cache had passed.
      expect(sm.callsByAction['GetSecretValue']).toBeGreaterThanOrEqual(1);

      sm.mode = 'unavailable';
      // Past secrets.cacheTtl (so the source is asked again) and tokens.minRefreshInterval.
      await elapse(1_100);
      // A min_ttl of the whole lifetime makes the broker mint a new token, which needs the secret.
      const renewed = expectToken(await call(broker.url, `/v1/tokens/aws-cached?min_ttl=${ims.tokenLifetimeSeconds}`, { apiKey: API_KEY }), 'aws-cached');

      expect(sm.callsByAction['GetSecretValue']).toBeGreaterThan(1);
      expect(sm.requests.at(-1)?.status).toBe(503);
      expect(renewed.access_token).not.toBe(first.access_token);
      expect(renewed.access_token).toBe(ims.issued.at(-1)?.token);
      expect(secretSentBy('client-aws-cached')).toBe(secrets.cachedAws);

      const ready = await call(broker.url, '/health/ready');
      // Still serving with the cached secret: degraded (200), with the source's own cause, not out of service.
      expect(ready.status).toBe(200);
      expect((ready.body as HealthBody).status).toBe('degraded');
      expect((ready.body as HealthBody).details['secrets']).toMatchObject({
        status: 'degraded',
        aws: { available: 1, unavailable: [] },
        failing: { 'aws-cached': expect.stringContaining('failed: ServiceUnavailable: The request has failed due to a temporary failure of the server.') },
      });
    });

    it('keeps minting with the cached secret when the secret file disappears', async () => {
      const first = expectToken(await call(broker.url, '/v1/tokens/file-cached?min_ttl=0', { apiKey: API_KEY }), 'file-cached');
      unlinkSync(cachedFile());
      await elapse(1_100);
      const renewed = expectToken(await call(broker.url, `/v1/tokens/file-cached?min_ttl=${ims.tokenLifetimeSeconds}`, { apiKey: API_KEY }), 'file-cached');

      expect(renewed.access_token).not.toBe(first.access_token);
      expect(renewed.access_token).toBe(ims.issued.at(-1)?.token);
      expect(secretSentBy('client-file-cached')).toBe(secrets.cachedFile);
    });
  });

  describe('reading and re-reading', () => {
    let broker: BrokerUnderTest;
    const OLD = `rotated-old-${randomBytes(12).toString('hex')}`;
    const NEW = `rotated-new-${randomBytes(12).toString('hex')}`;
    const rotatedFile = () => join(secretDir, 'rotated-secret');

    const burst = `burst-${randomBytes(12).toString('hex')}`;

    beforeAll(async () => {
      // Stored only after boot (see the test): boot reads every secret, so it would be cached already.
      ims.addClient({ clientId: 'client-aws-burst', secrets: [burst] });
      writeFileSync(rotatedFile(), OLD, { mode: 0o600 });
      ims.addClient({ clientId: 'client-file-rotated', secrets: [OLD] });
      broker = await brokerWith(
        [credential('aws-burst', { source: 'aws', secretId: 'e2e/burst' }), credential('file-rotated', { source: 'file', path: rotatedFile() })],
        { tokens: { minRefreshInterval: '1s' } },
      );
    });
    afterAll(() => broker.close());

    it('reads the secret once for many concurrent cold requests', async () => {
      sm.putSecret('e2e/burst', burst);
      sm.delayMs = 100;
      const readsBefore = sm.callsByAction['GetSecretValue'] ?? 0;
      const responses = await Promise.all(Array.from({ length: 50 }, () => call(broker.url, '/v1/tokens/aws-burst', { apiKey: API_KEY })));
      const tokens = new Set(responses.map((r) => expectToken(r, 'aws-burst').access_token));
      expect(tokens.size).toBe(1);
      expect((sm.callsByAction['GetSecretValue'] ?? 0) - readsBefore).toBe(1);
      expect(ims.calls).toBe(1);
    });

    it('re-reads a cached secret that IMS rejects, and mints with the rotated one', async () => {
      const first = expectToken(await call(broker.url, '/v1/tokens/file-rotated?min_ttl=0', { apiKey: API_KEY }), 'file-rotated');
      // Rotation: the source and IMS move to the new secret while the broker still caches the old one (5 m).
      writeFileSync(rotatedFile(), NEW, { mode: 0o600 });
      ims.setClientSecrets('client-file-rotated', [NEW]);
      await elapse(1_100);

      const renewed = expectToken(await call(broker.url, `/v1/tokens/file-rotated?min_ttl=${ims.tokenLifetimeSeconds}`, { apiKey: API_KEY }), 'file-rotated');
      expect(renewed.access_token).not.toBe(first.access_token);
      const attempts = ims.requests.filter((r) => r.params['client_id'] === 'client-file-rotated').slice(-2);
      expect(attempts.map((r) => [r.params['client_secret'], r.status])).toEqual([
        [OLD, 401],
        [NEW, 200],
      ]);
    });
  });

  describe('Secrets Manager down and nothing cached', () => {
    let broker: BrokerUnderTest;

    beforeAll(async () => {
      sm.putSecret('e2e/never-read', `never-${randomBytes(8).toString('hex')}`);
      sm.mode = 'unavailable';
      broker = await brokerWith([credential('aws-down', { source: 'aws', secretId: 'e2e/never-read' })]);
    });
    afterAll(() => broker.close());

    it('answers 503 secret_unavailable and is not ready, but live', async () => {
      sm.mode = 'unavailable';
      const response = await call(broker.url, '/v1/tokens/aws-down', { apiKey: API_KEY });
      expectProblem(response, 503, 'secret_unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(ims.calls).toBe(0);
      expect(sm.calls).toBeGreaterThan(0);

      const ready = await call(broker.url, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('cache-control')).toBe('no-store');
      const body = ready.body as HealthBody;
      expect(body.status).toBe('error');
      expect(body.error?.['credentials']).toEqual({
        status: 'down',
        servable: 0,
        total: 1,
        unservable: { 'aws-down': expect.stringMatching(/^no token held; secret unreadable: Secrets Manager GetSecretValue for e2e\/never-read failed: ServiceUnavailable/) },
      });
      expect(body.error?.['secrets']).toMatchObject({ status: 'degraded', aws: { available: 0, unavailable: ['aws-down'] } });
      expect(body.info?.['config']).toMatchObject({ status: 'up' });
      expect(ready.text).not.toMatch(/at .*\.(ts|js):\d+/);

      const live = await call(broker.url, '/health/live');
      expect(live.status).toBe(200);
    });

    it('recovers once Secrets Manager is back', async () => {
      // The failed mint above is remembered for a short, transient cooldown (1 s).
      await elapse(1_100);
      ims.addClient({ clientId: 'client-aws-down', secrets: [sm.getCurrent('e2e/never-read') ?? ''] });
      expectToken(await call(broker.url, '/v1/tokens/aws-down', { apiKey: API_KEY }), 'aws-down');
      expect((await call(broker.url, '/health/ready')).status).toBe(200);
    });
  });
});
