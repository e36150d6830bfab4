import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, startBroker } from '../support/broker-app';
import { call } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { generateSigningKey, JwksServer, signWorkloadToken } from '../support/jwks-server';
import { LogCapture } from '../support/log-capture';
import { STACK_FRAME } from './e2e.assertions';

/**
 * A bounded fuzz run against the real app on a real port: a few thousand requests with random paths, query
 * strings, headers and bodies built from hostile fragments, plus malformed bytes over raw sockets. Whatever
 * comes in, the broker must answer below 500, without a stack trace, without echoing a secret or a token,
 * without writing one to its logs, and it must still be alive at the end. The seed is printed on failure.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const BUDGET_MS = 15_000;
const MAX_REQUESTS = 4_000;
const CONCURRENCY = 16;

const CLIENT_ID = 'e2e-fuzz-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const API_KEY = `fuzz-key-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `fuzz-limited-${randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `fuzz-admin-${randomBytes(16).toString('hex')}`;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** mulberry32: small, seedable, good enough to pick fragments. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

describe('hostile input (fuzz)', () => {
  let ims: ImsEmulator;
  let jwks: JwksServer;
  let broker: BrokerUnderTest;
  let secretDir: string;
  let port: number;
  let jwt: string;
  const logs = new LogCapture();
  const audit = new LogCapture();
  const failures: string[] = [];
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    jwks = await JwksServer.start();
    const key = await generateSigningKey('ES256', 'fuzz-1');
    jwks.setKeys([key.publicJwk]);
    jwt = await signWorkloadToken(key, { issuer: ISSUER, audience: 'token-broker', subject: 'system:serviceaccount:fuzz:svc', expiresIn: 3_600 });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-fuzz-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    const secret = { source: 'file', path: join(secretDir, 'client-secret') } as const;
    broker = await startBroker({
      logs,
      auditLogs: audit,
      // debug, not trace: thousands of requests; every level that can carry request data is still on.
      logLevel: 'debug',
      file: {
        credentials: ['alpha', 'aep-prod'].map((id) => ({ id, imsUrl: ims.url, clientId: CLIENT_ID, secret })),
        issuers: [{ issuer: ISSUER, jwksUri: jwks.jwksUri, audience: 'token-broker' }],
        callers: [
          { id: 'fuzz', apiKey: API_KEY, credentials: ['aep-*', 'alpha'] },
          { id: 'fuzz-limited', apiKey: LIMITED_KEY, credentials: ['*'], rateLimit: { requestsPerSecond: 5, burst: 5 } },
          { id: 'fuzz-admin', apiKey: ADMIN_KEY, credentials: [], roles: ['admin'] },
          { id: 'fuzz-jwt', jwtSubject: 'system:serviceaccount:fuzz:svc', credentials: ['alpha'] },
        ],
      },
    });
    port = Number(new URL(broker.url).port);
  });

  beforeEach(() => {
    failures.length = 0;
  });

  afterAll(async () => {
    await broker.close();
    await Promise.all([ims.close(), jwks.close()]);
    rmSync(secretDir, { recursive: true, force: true });
  });

  // ---- generators -------------------------------------------------------------------------------------------

  const FRAGMENTS = [
    'alpha', 'aep-prod', 'nope', '*', '%2A', '{cred:x}', '%7Bcred%3Ax%7D', '{caller:fuzz}:rate', '..', '%2e%2e', '..%2f..%2fetc%2fpasswd',
    '%252e%252e', '%00', '%0d%0aSet-Cookie:%20x=1', '%0a', '%FF', '%C0%AF', '%E0%A4%A', 'caf%C3%A9', '%F0%9F%94%91', '%', '%%', '~', '$',
    'KEYS%20*', 'FLUSHALL', '%22%3E%3Cscript%3E', "'--", '__proto__', 'constructor', 'prototype', 'x'.repeat(64), 'y'.repeat(65),
    'z'.repeat(300), ';', ',', '@', '+', '=', '&', 'tb:{cred:alpha}:token', 'headers', 'credentials', 'token', 'refresh', 'reload',
  ];
  const BASES = [
    '/v1/tokens/', '/v1/tokens/alpha', '/v1/tokens/alpha/headers', '/v1/tokens/aep-prod', '/v1/', '/admin/credentials', '/admin/credentials/',
    '/admin/credentials/alpha/token', '/admin/credentials/alpha/refresh', '/health/live', '/health/ready', '/metrics', '/', '//', '/docs',
  ];
  const HEADER_VALUES = [
    '', ' ', 'x'.repeat(1_000), 'x'.repeat(9_000), '{cred:x}', '*', 'null', 'undefined', '../../', '%00', 'ü'.repeat(3), '\t', 'a,b', '${jndi:ldap://x}',
  ];

  function randomPath(): string {
    let path = pick(BASES);
    const extra = Math.floor(random() * 3);
    for (let i = 0; i < extra; i += 1) path += (path.endsWith('/') ? '' : '/') + pick(FRAGMENTS);
    if (chance(0.5)) {
      const params: string[] = [];
      const count = Math.floor(random() * 4);
      for (let i = 0; i < count; i += 1) {
        const name = pick(['min_ttl', 'min_ttl', 'MIN_TTL', 'ttl', '__proto__[x]', 'a[b][c]', pick(FRAGMENTS)]);
        const value = pick(['0', '300', '86400', '86401', '-1', '1e3', '0x10', '', pick(FRAGMENTS), String(random())]);
        params.push(chance(0.1) ? name : `${name}=${value}`);
      }
      path += `?${params.join('&')}`;
    }
    return path;
  }

  function randomAuthorization(): string | undefined {
    switch (Math.floor(random() * 11)) {
      case 0:
        return undefined;
      case 1:
      case 2:
        return `Bearer ${API_KEY}`;
      case 3:
        return `Bearer ${LIMITED_KEY}`;
      case 4:
        return `Bearer ${ADMIN_KEY}`;
      case 5:
        return `Bearer ${jwt}`;
      case 6: {
        // A JWT with a flipped signature byte, or with garbage segments.
        const [h, p, s] = jwt.split('.') as [string, string, string];
        return `Bearer ${chance(0.5) ? `${h}.${p}.${s.slice(0, -2)}AA` : `${h}.${pick(FRAGMENTS).replace(/[^A-Za-z0-9_-]/g, '') || 'e30'}.`}`;
      }
      case 7:
        return `Bearer ${'A'.repeat(Math.floor(random() * 10_000))}`;
      case 8:
        return `${pick(['Basic', 'bearer', 'BEARER', 'Token', ''])} ${pick(FRAGMENTS)}`;
      case 9:
        return `Bearer ${pick(FRAGMENTS)}.${pick(FRAGMENTS)}.${pick(FRAGMENTS)}`;
      default:
        return pick(HEADER_VALUES);
    }
  }

  function randomBody(): { body: Buffer; contentType: string } | undefined {
    switch (Math.floor(random() * 10)) {
      case 0:
      case 1:
        return undefined;
      case 2:
        return { body: Buffer.from(JSON.stringify({ reason: pick(FRAGMENTS), extra: random() })), contentType: 'application/json' };
      case 3: {
        const depth = 2_000 + Math.floor(random() * 6_000);
        return { body: Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`), contentType: 'application/json' };
      }
      case 4: {
        // A "billion laughs"-style fan-out, capped by the body limit.
        const inner = JSON.stringify(Array.from({ length: 50 }, () => ({ a: [1, 2, 3], b: { c: 'd' } })));
        return { body: Buffer.from(`{"bomb":[${Array.from({ length: 20 }, () => inner).join(',')}]}`), contentType: 'application/json' };
      }
      case 5:
        return { body: randomBytes(Math.floor(random() * 4_096)), contentType: pick(['application/json', 'text/plain', 'application/octet-stream']) };
      case 6:
        return { body: Buffer.alloc(pick([17 * 1024, 256 * 1024, 1024 * 1024]), 'a'), contentType: 'application/json' };
      case 7:
        return { body: Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'), contentType: 'application/json' };
      case 8:
        return { body: Buffer.from('min_ttl=5&__proto__[admin]=1&a[b][c][d]=1'), contentType: 'application/x-www-form-urlencoded' };
      default:
        return { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc0, 0xaf, 0x7d]), contentType: 'application/json; charset=utf-8' };
    }
  }

  function randomRequest(): Sent {
    const method = pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
    let path = randomPath();
    const headers: Record<string, string> = {};
    const authorization = randomAuthorization();
    if (authorization !== undefined) headers['authorization'] = authorization;
    // An admin key never reaches the reload endpoint: it would re-read a config file this test does not own.
    if (authorization?.includes(ADMIN_KEY) && path.includes('reload')) path = '/admin/credentials';
    if (chance(0.3)) headers['x-request-id'] = pick([...HEADER_VALUES, pick(FRAGMENTS), 'ok-request-id-1']);
    if (chance(0.2)) headers[pick(['x-forwarded-for', 'cookie', 'accept', 'x-api-key', 'x-gw-ims-org-id', 'forwarded'])] = pick(HEADER_VALUES);
    // Node's HTTP client mis-parses the answer to a HEAD that carried a body; the raw-socket cases cover that.
    const body = method === 'HEAD' || (method === 'GET' && chance(0.8)) ? undefined : randomBody();
    if (body) headers['content-type'] = body.contentType;
    return { method, path, headers, ...(body ? { body: body.body } : {}) };
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  function send(sent: Sent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: sent.method, path: sent.path, headers: sent.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(sent.body);
    });
  }

  /** Raw bytes on a fresh socket: the first status line back (if any) and the text. */
  function sendRaw(bytes: Buffer): Promise<Answer | undefined> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        socket.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
        resolve(status === undefined ? undefined : { status: Number(status), text });
      };
      socket.setTimeout(1_000, finish);
      let settle: NodeJS.Timeout | undefined;
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // A kept-alive connection never ends by itself: once an answer has started, give it a moment to finish.
        clearTimeout(settle);
        settle = setTimeout(finish, 150);
      });
      socket.on('end', finish);
      socket.on('error', finish);
      socket.on('connect', () => socket.write(bytes));
    });
  }

  const secrets = (): Map<string, string> => {
    const all = new Map<string, string>([
      ['client secret', CLIENT_SECRET],
      ['api key', API_KEY],
      ['limited key', LIMITED_KEY],
      ['admin key', ADMIN_KEY],
      ['workload jwt', jwt],
      ['workload jwt signature', jwt.split('.')[2] as string],
    ]);
    ims.issued.forEach((issued, i) => all.set(`issued token ${i}`, issued.token));
    return all;
  };

  function check(description: string, answer: Answer | undefined, path: string): void {
    if (answer === undefined) return;
    if (answer.status >= 500) failures.push(`${answer.status} for ${description}: ${answer.text.slice(0, 300)}`);
    if (STACK_FRAME.test(answer.text)) failures.push(`stack trace for ${description}`);
    for (const [label, secret] of secrets()) {
      if (!answer.text.includes(secret)) continue;
      // Only a token route may hand out an issued token, and only with a 200.
      const legitimate = label.startsWith('issued token') && answer.status === 200 && /^\/v1\/tokens\//.test(path);
      if (!legitimate) failures.push(`${label} echoed by ${description}`);
    }
  }

  // ---- the run ------------------------------------------------------------------------------------------------

  it(`survives random requests (seed ${SEED})`, async () => {
    const started = performance.now();
    let sent = 0;
    const statuses = new Map<number, number>();
    const worker = async (): Promise<void> => {
      while (sent < MAX_REQUESTS && performance.now() - started < BUDGET_MS) {
        sent += 1;
        const request = randomRequest();
        const description = `${request.method} ${request.path.slice(0, 200)} [seed ${SEED}]`;
        try {
          const answer = await send(request);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          check(description, answer, request.path);
        } catch (error) {
          // The server may close a connection it refuses (oversized body); that is an answer, not a crash.
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'ECONNRESET' && code !== 'EPIPE') failures.push(`${description}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    if (process.env.FUZZ_STATS) process.stderr.write(`FUZZ sent=${sent} ${JSON.stringify([...statuses].sort())}\n`);

    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1_000);
    // The run exercised every kind of answer, not just one path.
    for (const status of [200, 400, 401, 403, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('survives malformed bytes on raw sockets', async () => {
    const host = 'Host: 127.0.0.1\r\n';
    const auth = `Authorization: Bearer ${API_KEY}\r\n`;
    const raw: Buffer[] = [
      Buffer.concat([Buffer.from('GET /v1/tokens/'), Buffer.from([0xff, 0xfe, 0x00, 0xc0]), Buffer.from(` HTTP/1.1\r\n${host}${auth}\r\n`)]),
      Buffer.concat([Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}Authorization: Bearer `), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('\r\n\r\n')]),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}Authorization: Bearer ${API_KEY}\rX-Injected: 1\r\n\r\n`),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}${auth}X-Bad\u0000Name: 1\r\n\r\n`),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}${auth}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}${auth}${Array.from({ length: 3_000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`),
      Buffer.from(`POST /admin/credentials/alpha/refresh HTTP/1.1\r\n${host}Authorization: Bearer ${ADMIN_KEY}\r\nContent-Length: -1\r\n\r\n{}`),
      Buffer.from(`POST /admin/credentials/alpha/refresh HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}`),
      Buffer.from(`POST /admin/credentials/alpha/refresh HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
      Buffer.from(`POST /admin/credentials/alpha/refresh HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nfffffffffffffffff\r\n{}\r\n`),
      Buffer.from(`POST /admin/credentials/alpha/refresh HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{`),
      Buffer.from(`GET http://evil.example/v1/tokens/alpha HTTP/1.1\r\n${host}${auth}\r\n`),
      Buffer.from(`OPTIONS * HTTP/1.1\r\n${host}\r\n`),
      Buffer.from('GET /v1/tokens/alpha\r\n\r\n'),
      Buffer.from('GET /v1/tokens/alpha HTTP/9.9\r\n\r\n'),
      Buffer.from(`GET /v1/tokens/%00%0d%0a HTTP/1.1\r\n${host}${auth}\r\n`),
      Buffer.from(`GET /v1/tokens/{cred:x} HTTP/1.1\r\n${host}${auth}\r\n`),
      Buffer.from(`GET /v1/tokens/alpha?min_ttl=5\u0000 HTTP/1.1\r\n${host}${auth}\r\n`),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}X-Request-Id: ${'\u00ff'.repeat(10)}\r\n${auth}\r\n`),
      Buffer.from('\r\n\r\n\r\n'),
      randomBytes(2_048),
      Buffer.from(`GET /v1/tokens/alpha HTTP/1.1\r\n${host}`),
      Buffer.from(`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`),
      Buffer.from(`HEAD /v1/tokens/alpha HTTP/1.1\r\n${host}${auth}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
    ];
    for (let i = 0; i < raw.length; i += 1) {
      const bytes = raw[i] as Buffer;
      // The request target (origin- or absolute-form) decides whether a token may legitimately come back.
      const target = (/^\S+ (\S+)/.exec(bytes.toString('latin1'))?.[1] ?? '').replace(/^https?:\/\/[^/]+/, '');
      const answer = await sendRaw(bytes);
      check(`raw case ${i}`, answer, target);
      // Refusals by the HTTP parser are problems too, and a HEAD gets no body.
      if (answer !== undefined && answer.status >= 400 && !/content-type: application\/problem\+json/i.test(answer.text)) {
        failures.push(`raw case ${i}: ${answer.status} without a problem body`);
      }
      if (answer !== undefined && bytes.subarray(0, 5).toString('latin1') === 'HEAD ' && !answer.text.endsWith('\r\n\r\n')) {
        failures.push(`raw case ${i}: a body in the answer to HEAD`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('answers an HTTP/1.1 request without Host with a 400 problem body, and HTTP/1.0 without it normally', async () => {
    const auth = `Authorization: Bearer ${API_KEY}\r\n`;
    for (const path of ['/v1/tokens/alpha', '/health/live', '/no/such/route']) {
      const answer = await sendRaw(Buffer.from(`GET ${path} HTTP/1.1\r\n${auth}\r\n`));
      expect(answer?.status).toBe(400);
      expect(answer?.text).toMatch(/content-type: application\/problem\+json/i);
      const body = JSON.parse(answer?.text.slice(answer.text.indexOf('\r\n\r\n') + 4) ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ status: 400, code: 'invalid_request', detail: expect.stringMatching(/Host/) });
      expect(answer?.text).not.toContain('"access_token"');
    }
    // HTTP/1.0 never required Host.
    expect((await sendRaw(Buffer.from(`GET /v1/tokens/alpha HTTP/1.0\r\n${auth}\r\n`)))?.status).toBe(200);
  });

  it('is still alive and ready, and wrote nothing secret to its logs', async () => {
    expect((await call(broker.url, '/health/live')).status).toBe(200);
    expect((await call(broker.url, '/health/ready')).status).toBe(200);
    expect((await call(broker.url, '/v1/tokens/alpha', { apiKey: API_KEY })).status).toBe(200);
    expect(logs.unparsable).toEqual([]);
    expect(logs.leaksOf(secrets())).toEqual([]);
    expect(audit.leaksOf(secrets())).toEqual([]);
    expect(logs.entries.filter((entry) => entry['level'] === 'error' || entry['level'] === 'fatal')).toEqual([]);
  });
});
