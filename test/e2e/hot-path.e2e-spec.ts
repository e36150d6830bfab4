import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenServing } from '../../apps/broker/src/token-serving';
import { TokensController } from '../../apps/broker/src/tokens.controller';
import { type BrokerFileInput, type BrokerUnderTest, startBroker } from '../support/broker-app';
import { type BrokerResponse, call, type CallOptions } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';

const CLIENT_ID = 'e2e-hot-path-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const ALL_KEY = `hot-all-${randomBytes(16).toString('hex')}`;
const ONE_KEY = `hot-one-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `hot-limited-${randomBytes(16).toString('hex')}`;

/** Headers whose values must match between the two brokers (the others differ by nature: date, request id). */
const COMPARED_HEADERS = ['content-type', 'cache-control', 'pragma', 'retry-after', 'connection'] as const;

/** The requests both brokers answer: every outcome the callers' GET routes have. */
const REQUESTS: readonly { readonly name: string; readonly path: string; readonly options: CallOptions }[] = [
  { name: 'a token', path: '/v1/tokens/alpha', options: { apiKey: ALL_KEY } },
  { name: 'a token, held', path: '/v1/tokens/alpha', options: { apiKey: ALL_KEY } },
  { name: 'a token with min_ttl', path: '/v1/tokens/alpha?min_ttl=60', options: { apiKey: ALL_KEY } },
  { name: 'the headers', path: '/v1/tokens/alpha/headers', options: { apiKey: ALL_KEY } },
  { name: 'HEAD of a token', path: '/v1/tokens/alpha', options: { apiKey: ALL_KEY, method: 'HEAD' } },
  { name: 'a malformed min_ttl', path: '/v1/tokens/alpha?min_ttl=soon', options: { apiKey: ALL_KEY } },
  { name: 'an unknown parameter', path: '/v1/tokens/alpha?scope=admin', options: { apiKey: ALL_KEY } },
  { name: 'a malformed id', path: '/v1/tokens/al%20pha', options: { apiKey: ALL_KEY } },
  { name: 'an empty id', path: '/v1/tokens/', options: { apiKey: ALL_KEY } },
  { name: 'an empty id, headers', path: '/v1/tokens//headers', options: { apiKey: ALL_KEY } },
  { name: 'no credentials', path: '/v1/tokens/alpha', options: {} },
  { name: 'an unknown key', path: '/v1/tokens/alpha', options: { apiKey: `nope-${randomBytes(8).toString('hex')}` } },
  { name: 'a Basic authorization', path: '/v1/tokens/alpha', options: { authorization: 'Basic dXNlcjpwYXNz' } },
  { name: 'an id not granted', path: '/v1/tokens/beta', options: { apiKey: ONE_KEY } },
  { name: 'an unknown id, * caller', path: '/v1/tokens/gamma', options: { apiKey: ALL_KEY } },
  { name: 'an unknown id, headers', path: '/v1/tokens/gamma/headers', options: { apiKey: ALL_KEY } },
  { name: 'an unknown id, granted caller', path: '/v1/tokens/gamma', options: { apiKey: ONE_KEY } },
  { name: 'a refused secret', path: '/v1/tokens/refused', options: { apiKey: ALL_KEY } },
  { name: 'rate limit: first', path: '/v1/tokens/alpha', options: { apiKey: LIMITED_KEY } },
  { name: 'rate limit: refused', path: '/v1/tokens/alpha', options: { apiKey: LIMITED_KEY } },
  { name: 'a caller request id', path: '/v1/tokens/alpha', options: { apiKey: ALL_KEY, headers: { 'x-request-id': 'caller-req-1' } } },
  { name: 'POST to a token', path: '/v1/tokens/alpha', options: { apiKey: ALL_KEY, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } } },
];

/**
 * Counts calls of a controller method while keeping it routed: Nest reads a route's path, guards and
 * `@HotPath` mark from metadata on the method itself, which a bare `jest.spyOn` replacement would not carry.
 */
function spyOnRoute(name: 'token' | 'headers'): jest.SpyInstance {
  const original = TokensController.prototype[name];
  const spy = jest.spyOn(TokensController.prototype, name);
  for (const key of Reflect.getMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getMetadata(key, original), TokensController.prototype[name]);
  return spy;
}

/** A response with what differs by nature between two brokers taken out (request id, token values, date). */
function comparable(response: BrokerResponse): Record<string, unknown> {
  const headers = Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)]));
  let body: unknown = response.text;
  if (typeof response.body === 'object' && response.body !== null) {
    const fields = { ...(response.body as Record<string, unknown>) };
    for (const key of ['request_id', 'access_token', 'expires_at', 'authorization']) if (key in fields) fields[key] = typeof fields[key];
    if (typeof fields['expires_in'] === 'number') fields['expires_in'] = (fields['expires_in'] as number) > 0;
    body = fields;
  }
  return { status: response.status, headers, requestIdEchoed: response.headers.get('x-request-id') !== null, body };
}

/** Audit lines without what differs by nature (time, request id, the token's fingerprint). */
function comparableAudit(capture: LogCapture): Record<string, unknown>[] {
  return capture.entries.map((entry) => {
    const { time, request_id, token_fingerprint, ...rest } = entry;
    return { ...rest, time: typeof time, request_id: typeof request_id, token_fingerprint: typeof token_fingerprint };
  });
}

type Way = 'fast' | 'fastify' | 'nest';
const WAYS: readonly Way[] = ['fast', 'fastify', 'nest'];

/**
 * The callers' GET routes are served by the fast lane in front of Fastify (`apps/broker/src/fast-lane.ts`)
 * when they are cache hits, and otherwise by handlers on Fastify directly (`hot-path.ts`), both outside Nest's
 * pipeline. The same requests, sent to a broker served each way, must get the same answers and write the
 * same audit lines, in every outcome; and each broker must really serve them the way it says it does.
 */
describe('the fast lane and the hot path answer as Nest’s pipeline does', () => {
  let ims: ImsEmulator;
  let secretDir: string;
  const brokers: Partial<Record<Way, BrokerUnderTest>> = {};
  const audits: Record<Way, LogCapture> = { fast: new LogCapture(), fastify: new LogCapture(), nest: new LogCapture() };
  const answers: Record<Way, BrokerResponse[]> = { fast: [], fastify: [], nest: [] };
  const controllerCalls: Record<Way, number> = { fast: 0, fastify: 0, nest: 0 };
  const fastLaneAnswers: Record<Way, number> = { fast: 0, fastify: 0, nest: 0 };

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-hot-path-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    writeFileSync(join(secretDir, 'wrong-secret'), 'not-the-secret', { mode: 0o600 });
    const secret = { source: 'file', path: join(secretDir, 'client-secret') } as const;
    const file: BrokerFileInput = {
      credentials: [
        { id: 'alpha', imsUrl: ims.url, clientId: CLIENT_ID, secret },
        { id: 'beta', imsUrl: ims.url, clientId: CLIENT_ID, secret },
        { id: 'refused', imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'file', path: join(secretDir, 'wrong-secret') } },
      ],
      callers: [
        { id: 'all', apiKey: ALL_KEY, credentials: ['*'] },
        { id: 'one', apiKey: ONE_KEY, credentials: ['alpha', 'gam*'] },
        { id: 'limited', apiKey: LIMITED_KEY, credentials: ['alpha'], rateLimit: { requestsPerSecond: 0.01, burst: 1 } },
      ],
    };
    const spy = spyOnRoute('token');
    const headersSpy = spyOnRoute('headers');
    const fastLaneSpy = jest.spyOn(TokenServing.prototype, 'issueHeld');
    try {
      for (const kind of WAYS) {
        const broker = await startBroker({ file, logs: new LogCapture(), auditLogs: audits[kind], servingPath: kind });
        brokers[kind] = broker;
        const before = spy.mock.calls.length + headersSpy.mock.calls.length;
        const fastBefore = fastLaneSpy.mock.calls.length;
        for (const request of REQUESTS) answers[kind].push(await call(broker.url, request.path, request.options));
        controllerCalls[kind] = spy.mock.calls.length + headersSpy.mock.calls.length - before;
        fastLaneAnswers[kind] = fastLaneSpy.mock.calls.length - fastBefore;
      }
    } finally {
      spy.mockRestore();
      headersSpy.mockRestore();
      fastLaneSpy.mockRestore();
    }
  });

  afterAll(async () => {
    for (const way of WAYS) await brokers[way]?.close();
    await ims.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('serves the GET routes without the controller, and the comparison broker through it', () => {
    expect(controllerCalls.fast).toBe(0);
    expect(controllerCalls.fastify).toBe(0);
    // Cache hits by GET: the held token, with min_ttl, the headers, the caller's request id, the rate-limited caller's first.
    expect(fastLaneAnswers).toEqual({ fast: 5, fastify: 0, nest: 0 });
    // Every request that reaches a handler: all but the empty ids (404 before the handler) and the POST.
    expect(controllerCalls.nest).toBeGreaterThanOrEqual(12);
  });

  it.each(REQUESTS.map((request, index) => [request.name, index] as const))('%s: same status, headers and body', (_name, index) => {
    const nest = comparable(answers.nest[index] as BrokerResponse);
    expect(comparable(answers.fastify[index] as BrokerResponse)).toEqual(nest);
    expect(comparable(answers.fast[index] as BrokerResponse)).toEqual(nest);
  });

  it('covers every outcome: success, 400, 401, 403, 404, 429 and an upstream refusal', () => {
    expect(new Set(answers.fast.map((response) => response.status))).toEqual(new Set([200, 400, 401, 403, 404, 429, 502]));
  });

  it('writes the same audit lines, one per issued token and one per refusal', () => {
    expect(comparableAudit(audits.fastify)).toEqual(comparableAudit(audits.nest));
    expect(comparableAudit(audits.fast)).toEqual(comparableAudit(audits.nest));
    const issued = audits.fast.entries.filter((entry) => entry['action'] === 'token.issue');
    // a token (twice), with min_ttl, the headers, HEAD, the caller's request id, the rate-limited caller's first.
    expect(issued).toHaveLength(7);
    for (const way of WAYS) expect(audits[way].entries.filter((entry) => entry['request_id'] === 'caller-req-1')).toHaveLength(1);
    expect(audits.fast.entries.filter((entry) => entry['action'] === 'access.denied').map((entry) => entry['status'])).toEqual([401, 401, 401, 403, 403, 429]);
  });

  it('counts the requests under the same route patterns', async () => {
    const metrics = async (broker: BrokerUnderTest | undefined): Promise<string[]> => {
      const text = (await call((broker as BrokerUnderTest).url, '/metrics')).text;
      return text
        .split('\n')
        .filter((line) => line.startsWith('broker_http_requests_total{') && line.includes('/v1/tokens'))
        .sort();
    };
    const nest = await metrics(brokers.nest);
    expect(nest.length).toBeGreaterThan(3);
    expect(await metrics(brokers.fastify)).toEqual(nest);
    expect(await metrics(brokers.fast)).toEqual(nest);
  });
});
