import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigService, parseBrokerConfig } from '@broker/config';
import { brokerYaml, type BrokerFileInput, type BrokerUnderTest, startBroker } from '../support/broker-app';
import { type BrokerResponse, call } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { expectProblem, expectToken } from './e2e.assertions';

const CLIENT_ID = 'e2e-audit-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `limited-key-${randomBytes(16).toString('hex')}`;
const OTHER_KEY = `other-key-${randomBytes(16).toString('hex')}`;
const OPS_KEY = `ops-key-${randomBytes(16).toString('hex')}`;
const fingerprint = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 12);

/** Rate limits, denials and the audit trail of an in-process broker. */
describe('rate limits and the audit trail', () => {
  let ims: ImsEmulator;
  let broker: BrokerUnderTest;
  let secretDir: string;
  let file: BrokerFileInput;
  const logs = new LogCapture();
  const audit = new LogCapture();
  const responses: BrokerResponse[] = [];

  const get = async (path: string, apiKey?: string): Promise<BrokerResponse> => {
    const response = await call(broker.url, path, apiKey === undefined ? {} : { apiKey });
    responses.push(response);
    return response;
  };
  /** The one audit line written for a response, found by its request id. */
  const auditOf = (response: BrokerResponse): Readonly<Record<string, unknown>> => {
    const lines = audit.entries.filter((entry) => entry['request_id'] === response.headers.get('x-request-id'));
    expect(lines).toHaveLength(1);
    return lines[0] as Readonly<Record<string, unknown>>;
  };

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-audit-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    const secret = { source: 'file', path: join(secretDir, 'client-secret') } as const;
    file = {
      credentials: [
        { id: 'alpha', imsUrl: ims.url, clientId: CLIENT_ID, secret },
        { id: 'beta', imsUrl: ims.url, clientId: CLIENT_ID, secret },
      ],
      callers: [
        // Refills one request per 100 s: within a test the bucket only empties.
        { id: 'limited', apiKey: LIMITED_KEY, credentials: ['alpha'], rateLimit: { requestsPerSecond: 0.01, burst: 3 } },
        { id: 'other', apiKey: OTHER_KEY, credentials: ['alpha'] },
        { id: 'ops', apiKey: OPS_KEY, credentials: [], roles: ['admin'] },
      ],
      rateLimits: { default: { requestsPerSecond: 1000, burst: 1000 } },
    };
    broker = await startBroker({ logs, auditLogs: audit, file });
  });

  afterAll(async () => {
    await broker.close();
    await ims.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a caller has used its burst, and leaves other callers alone', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await get('/v1/tokens/alpha', LIMITED_KEY)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);

      const limited = await get('/v1/tokens/alpha', LIMITED_KEY);
      const problem = expectProblem(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(90);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(100);
      expect(problem.detail).toMatch(/retry in \d+ s/);

      const others = await Promise.all(Array.from({ length: 20 }, () => get('/v1/tokens/alpha', OTHER_KEY)));
      expect(others.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
      expect((await call(broker.url, '/metrics')).text).toMatch(/^broker_rate_limited_total\{caller="limited"\} 3$/m);
    });

    it('counts refused requests too (a 403 still takes from the bucket), but not unauthenticated ones', async () => {
      expectProblem(await get('/v1/tokens/beta', LIMITED_KEY), 429, 'rate_limited');
      expectProblem(await get('/v1/tokens/alpha', `${LIMITED_KEY}-wrong`), 401, 'unauthenticated');
    });
  });

  describe('roles', () => {
    it('lets only admins reach /admin, and admins still need a grant for tokens', async () => {
      expectProblem(await get('/admin/credentials', OTHER_KEY), 403, 'forbidden');
      expect((await get('/admin/credentials', OPS_KEY)).status).toBe(200);
      expectProblem(await get('/v1/tokens/alpha', OPS_KEY), 403, 'forbidden');
    });

    it('guards every /admin route of the OpenAPI document with the admin role', async () => {
      const document = (await call(broker.url, '/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/admin'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'alpha') })));
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        const response = await call(broker.url, route.path, { method: route.method, apiKey: OTHER_KEY });
        expect({ ...route, status: response.status }).toEqual({ ...route, status: 403 });
        expectProblem(response, 403, 'forbidden');
      }
    });
  });

  describe('audit events', () => {
    it('records every issued token with caller, credential and fingerprint, never the token', async () => {
      const response = await get('/v1/tokens/alpha', OTHER_KEY);
      const body = expectToken(response, 'alpha');
      expect(auditOf(response)).toEqual({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        service: 'token-broker',
        log_type: 'audit',
        request_id: response.headers.get('x-request-id'),
        action: 'token.issue',
        outcome: 'success',
        caller_id: 'other',
        auth: 'api_key',
        credential_id: 'alpha',
        token_fingerprint: fingerprint(body.access_token),
        msg: 'audit',
      });
    });

    it('records 401s without a caller, and 403s and 429s with the caller and credential', async () => {
      const unauthenticated = await get('/v1/tokens/alpha', 'not-a-known-key-at-all');
      expectProblem(unauthenticated, 401, 'unauthenticated');
      expect(auditOf(unauthenticated)).toMatchObject({ action: 'access.denied', outcome: 'denied', status: 401, reason: 'unauthenticated', credential_id: 'alpha' });
      expect(auditOf(unauthenticated)).not.toHaveProperty('caller_id');

      const forbidden = await get('/v1/tokens/beta', OTHER_KEY);
      expectProblem(forbidden, 403, 'forbidden');
      expect(auditOf(forbidden)).toMatchObject({ action: 'access.denied', outcome: 'denied', status: 403, reason: 'forbidden', caller_id: 'other', credential_id: 'beta' });

      const unknown = await get('/v1/tokens/nope', OTHER_KEY);
      expect(auditOf(unknown)).toMatchObject({ status: 403, reason: 'forbidden', caller_id: 'other', credential_id: 'nope' });

      const limited = await get('/v1/tokens/alpha', LIMITED_KEY);
      expectProblem(limited, 429, 'rate_limited');
      expect(auditOf(limited)).toMatchObject({ action: 'access.denied', outcome: 'denied', status: 429, reason: 'rate_limited', caller_id: 'limited', credential_id: 'alpha' });

      const notAdmin = await get('/admin/credentials', OTHER_KEY);
      expect(auditOf(notAdmin)).toMatchObject({ action: 'access.denied', status: 403, reason: 'forbidden', caller_id: 'other' });
    });

    it('wrote one audit event for every 200, 401, 403 and 429 of this file, and none for other answers', async () => {
      const malformed = await get('/v1/tokens/a%20b', OTHER_KEY);
      expect(malformed.status).toBe(400);
      const missing = await get('/nowhere', OTHER_KEY);
      expect(missing.status).toBe(404);
      for (const response of responses) {
        const id = response.headers.get('x-request-id');
        const lines = audit.entries.filter((entry) => entry['request_id'] === id);
        // A 200 is a token issued or an admin action (audited by the admin controller).
        const expected = [200, 401, 403, 429].includes(response.status) ? 1 : 0;
        expect({ status: response.status, lines: lines.length }).toEqual({ status: response.status, lines: expected });
      }
    });

    it('keeps the audit trail on its own stream, free of tokens and keys', () => {
      expect(logs.entries.filter((entry) => entry['log_type'] === 'audit')).toEqual([]);
      const secrets = new Map<string, string>([
        ['client secret', CLIENT_SECRET],
        ['limited key', LIMITED_KEY],
        ['other key', OTHER_KEY],
        ['ops key', OPS_KEY],
      ]);
      ims.issued.forEach((issued, i) => secrets.set(`issued token ${i}`, issued.token));
      expect(audit.leaksOf(secrets)).toEqual([]);
      expect(logs.leaksOf(secrets)).toEqual([]);
    });
  });

  describe('revocation', () => {
    it('refuses a removed caller from the moment the new config is applied', async () => {
      expectToken(await get('/v1/tokens/alpha', OTHER_KEY), 'alpha');
      const next = { ...file, callers: file.callers.filter((caller) => caller.id !== 'other') };
      broker.app.get(ConfigService).replace(parseBrokerConfig(brokerYaml(next), '/e2e/broker.yaml'));
      expectProblem(await get('/v1/tokens/alpha', OTHER_KEY), 401, 'unauthenticated');
    });
  });
});
