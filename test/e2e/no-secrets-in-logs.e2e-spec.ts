import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, startBroker } from '../support/broker-app';
import { type BrokerResponse, call } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { SecretsManagerEmulator } from '../support/secrets-manager-emulator';

const CLIENT_ID = 'e2e-logs-client';
const AWS_CLIENT_ID = 'e2e-logs-aws-client';
const CLIENT_SECRET = `file-secret-${randomBytes(16).toString('hex')}`;
const AWS_CLIENT_SECRET = `aws-secret-${randomBytes(16).toString('hex')}`;
const WRONG_SECRET = `wrong-secret-${randomBytes(16).toString('hex')}`;
const AWS_SECRET_ACCESS_KEY = `aws-access-${randomBytes(16).toString('hex')}`;
const ENV_SECRET = `env-secret-${randomBytes(16).toString('hex')}`;
const ENV_NAME = 'E2E_LOGS_CLIENT_SECRET';
const CALLER_KEY = `caller-key-${randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `admin-key-${randomBytes(16).toString('hex')}`;
const UNKNOWN_KEY = `unknown-key-${randomBytes(16).toString('hex')}`;
const AWS_ENV_NAMES = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED', ENV_NAME];

/**
 * One broker at `trace`, driven through success, caller errors, IMS rejections and outages and secret source
 * failures; then every line it wrote is searched for every secret it handled.
 */
describe('log hygiene', () => {
  let ims: ImsEmulator;
  let sm: SecretsManagerEmulator;
  let broker: BrokerUnderTest;
  let secretDir: string;
  const savedEnv = new Map<string, string | undefined>();
  const responses: BrokerResponse[] = [];

  async function get(path: string, authorization: string | undefined, headers: Record<string, string> = {}): Promise<BrokerResponse> {
    const response = await call(broker.url, path, { headers, ...(authorization === undefined ? {} : { authorization }) });
    responses.push(response);
    return response;
  }
  const asCaller = (path: string, headers?: Record<string, string>) => get(path, `Bearer ${CALLER_KEY}`, headers);
  const asAdmin = (path: string) => get(path, `Bearer ${ADMIN_KEY}`);

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET, ENV_SECRET] });
    ims.addClient({ clientId: AWS_CLIENT_ID, secrets: [AWS_CLIENT_SECRET] });
    sm = await SecretsManagerEmulator.start();
    sm.putSecret('logs/aws', JSON.stringify({ client_secret: AWS_CLIENT_SECRET }));
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-logs-'));
    writeFileSync(join(secretDir, 'good'), CLIENT_SECRET, { mode: 0o600 });
    writeFileSync(join(secretDir, 'wrong'), WRONG_SECRET, { mode: 0o600 });
    for (const name of AWS_ENV_NAMES) savedEnv.set(name, process.env[name]);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.url;
    process.env.AWS_REGION = sm.region;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDE2ELOGS';
    process.env.AWS_SECRET_ACCESS_KEY = AWS_SECRET_ACCESS_KEY;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env[ENV_NAME] = ENV_SECRET;

    const file = (name: string) => ({ source: 'file', path: join(secretDir, name) }) as const;
    broker = await startBroker({
      logLevel: 'trace',
      file: {
        credentials: [
          { id: 'good', imsUrl: ims.url, clientId: CLIENT_ID, secret: file('good') },
          { id: 'env', imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'env', name: ENV_NAME } },
          { id: 'wrong', imsUrl: ims.url, clientId: CLIENT_ID, secret: file('wrong') },
          { id: 'aws', imsUrl: ims.url, clientId: AWS_CLIENT_ID, secret: { source: 'aws', secretId: 'logs/aws' } },
          { id: 'aws-down', imsUrl: ims.url, clientId: AWS_CLIENT_ID, secret: { source: 'aws', secretId: 'logs/never' } },
          { id: 'bad-expires', imsUrl: ims.url, clientId: CLIENT_ID, secret: file('good') },
          { id: 'ims-down', imsUrl: ims.url, clientId: CLIENT_ID, secret: file('good') },
          { id: 'flaky', imsUrl: ims.url, clientId: CLIENT_ID, secret: file('good') },
        ],
        callers: [
          { id: 'caller', apiKey: CALLER_KEY, credentials: ['good', 'env', 'wrong', 'aws', 'aws-down', 'bad-expires', 'ims-down', 'flaky'] },
          { id: 'admin', apiKey: ADMIN_KEY, credentials: ['*'] },
        ],
        tokens: { minRefreshInterval: '1s', upstreamAttempts: 2 },
      },
    });

    // Success, single-flight and cached serving, the headers endpoint.
    await Promise.all([asCaller('/v1/tokens/good'), asCaller('/v1/tokens/good'), asCaller('/v1/tokens/good/headers')]);
    await asCaller('/v1/tokens/env', { 'x-request-id': 'e2e-logs-env-0001' });
    await asCaller('/v1/tokens/aws');
    await asAdmin('/v1/tokens/aws/headers');
    // Caller mistakes.
    await get('/v1/tokens/good', undefined);
    await get('/v1/tokens/good', `Bearer ${UNKNOWN_KEY}`);
    await get('/v1/tokens/good', `Basic ${Buffer.from(`caller:${CALLER_KEY}`).toString('base64')}`);
    await get('/v1/tokens/good', `Bearer ${CALLER_KEY} ${ADMIN_KEY}`);
    await asCaller('/v1/tokens/not-mine');
    await asAdmin('/v1/tokens/not-configured');
    await asCaller('/v1/tokens/a%20b');
    await asCaller('/v1/tokens/%E0%A4%A');
    await asCaller('/v1/tokens/good?min_ttl=abc');
    await asCaller('/v1/tokens/good?client_secret=x');
    await asCaller('/nowhere');
    // IMS rejects the secret (and the broker re-reads it once), then answers from memory.
    await asCaller('/v1/tokens/wrong');
    await asCaller('/v1/tokens/wrong');
    // IMS issues a token with a nonsensical lifetime: rejected, and that token must not be logged either.
    ims.failNext(1, 'bad_expires', { expiresIn: 86_399_992 });
    await asCaller('/v1/tokens/bad-expires');
    // IMS outage with nothing held, then transient faults that the retry absorbs.
    ims.failNext(2, '503');
    await asCaller('/v1/tokens/ims-down');
    ims.failNext(1, 'reset');
    await asCaller('/v1/tokens/flaky');
    // Secrets Manager down with nothing cached; readiness says so.
    sm.mode = 'unavailable';
    await asCaller('/v1/tokens/aws-down');
    await get('/health/ready', undefined);
    sm.mode = 'ok';
    await get('/health/live', undefined);
  });

  afterAll(async () => {
    await broker.close();
    await ims.close();
    await sm.close();
    rmSync(secretDir, { recursive: true, force: true });
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('drove the broker through the intended outcomes', () => {
    expect(responses.map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 403, 404, 400, 400, 400, 400, 404, 502, 502, 502, 503, 200, 503, 200, 200,
    ]);
    expect(ims.issued.length).toBeGreaterThanOrEqual(5);
  });

  it('writes only JSON lines, many of them carrying a request id', () => {
    expect(broker.logs.lines.length).toBeGreaterThan(20);
    expect(broker.logs.unparsable).toEqual([]);
    const withRequestId = broker.logs.entries.filter((e) => typeof e['request_id'] === 'string');
    expect(withRequestId.length).toBeGreaterThan(responses.length);
  });

  it('logs every request with the request id it answered with', () => {
    for (const response of responses) {
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/\S/);
      const access = broker.logs.entries.filter((e) => e['request_id'] === id && e['msg'] === 'request completed');
      expect({ id, status: access.map((e) => e['status']) }).toEqual({ id, status: [response.status] });
    }
    // A caller's well-formed x-request-id is the one in the logs.
    expect(broker.logs.entries.some((e) => e['request_id'] === 'e2e-logs-env-0001' && e['msg'] === 'token minted')).toBe(true);
  });

  it('correlates what happened inside a request with that request', () => {
    const wrong = responses[17];
    const failures = broker.logs.entries.filter((e) => e['msg'] === 'upstream token request failed' && e['credential_id'] === 'wrong');
    expect(failures.length).toBeGreaterThan(0);
    for (const line of failures) expect(line['request_id']).toBe(wrong?.headers.get('x-request-id'));
  });

  it('never logs a client secret, a token, an API key or an Authorization header', () => {
    const secrets = new Map<string, string>([
      ['file client secret', CLIENT_SECRET],
      ['aws client secret', AWS_CLIENT_SECRET],
      ['env client secret', ENV_SECRET],
      ['wrong client secret', WRONG_SECRET],
      ['AWS secret access key', AWS_SECRET_ACCESS_KEY],
      ['caller API key', CALLER_KEY],
      ['admin API key', ADMIN_KEY],
      ['unknown API key', UNKNOWN_KEY],
      ['Basic credentials', Buffer.from(`caller:${CALLER_KEY}`).toString('base64')],
      ...ims.issued.map((t, i): [string, string] => [`IMS token #${i} (expires_in ${String(t.expiresIn)})`, t.token]),
      ...responses.flatMap((r, i): [string, string][] => {
        const token = (r.body as { access_token?: unknown } | undefined)?.access_token;
        return typeof token === 'string' ? [[`token served in response #${i}`, token]] : [];
      }),
    ]);
    expect(broker.logs.leaksOf(secrets)).toEqual([]);
    // The stricter form: not even a long-enough prefix of a token (a truncated token is still a credential).
    const prefixes = new Map(ims.issued.map((t, i): [string, string] => [`prefix of IMS token #${i}`, t.token.slice(0, 24)]));
    expect(broker.logs.leaksOf(prefixes)).toEqual([]);
  });
});
