/**
 * The serving baseline: a bare `node:http` server doing the work a broker cache hit must do, and nothing
 * else, so `broker / baseline` shows what the framework and the broker's own layers cost:
 *  - request id: the caller's `x-request-id` if well-formed, else a random UUID (echoed back);
 *  - route `GET /v1/tokens/{id}`, id validated, `?min_ttl` parsed;
 *  - `Authorization: Bearer <key>` parsed and checked: sha256 of the key, one Map lookup;
 *  - grant check (the caller's list, the credential exists), token looked up, freshness checked;
 *  - the same JSON body (same token size), the same headers (content-type, cache-control, pragma,
 *    x-request-id);
 *  - one JSON audit line per request (time, level, service, log_type, request id, caller, credential, token
 *    fingerprint = sha256 of the token, computed once as the broker does) written to a file through the same asynchronous writer pino uses
 *    (`pino.destination`, i.e. sonic-boom) — the broker writes its audit line on every cache hit whatever
 *    LOG_LEVEL says, so the baseline does too. No access log: the broker logs successful requests at debug,
 *    which is off at LOG_LEVEL=warn.
 * Input: one JSON argument; prints `{"ready": {"port": …}}` when listening.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pino from 'pino';

export interface BaselineInput {
  port: number;
  auditLog: string;
  callerId: string;
  apiKeySha256: string;
  grant: string[];
  credentialId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const CREDENTIAL_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const API_KEY_PATTERN = /^[\x21-\x7e]{8,512}$/;
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;
const MIN_TTL_PATTERN = /^\d{1,6}$/;
const PREFIX = '/v1/tokens/';
const DEFAULT_MIN_TTL_SECONDS = 300;

function main(): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as BaselineInput;
  const callers = new Map([[input.apiKeySha256, { id: input.callerId, credentials: input.grant }]]);
  const credentials = new Set([input.credentialId]);
  const tokens = new Map([[input.credentialId, { accessToken: input.accessToken, expiresAt: input.expiresAt }]]);
  const audit = pino.destination({ dest: input.auditLog, sync: false, mkdir: true });
  // Computed once, as the broker does per token: a bare server written with care would not hash per request.
  const fingerprint = createHash('sha256').update(input.accessToken).digest('hex').slice(0, 12);

  const problem = (status: number, code: string, requestId: string): string =>
    JSON.stringify({ type: `https://token-broker.dev/problems/${code}`, status, code, request_id: requestId });

  const server = createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
    const send = (status: number, body: string, contentType = 'application/json; charset=utf-8'): void => {
      res.writeHead(status, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        pragma: 'no-cache',
        'x-request-id': requestId,
      });
      res.end(body);
    };
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    if (req.method !== 'GET' || !path.startsWith(PREFIX)) return send(404, problem(404, 'not_found', requestId), 'application/problem+json');
    const credentialId = decodeURIComponent(path.slice(PREFIX.length));
    if (!CREDENTIAL_ID_PATTERN.test(credentialId)) return send(400, problem(400, 'invalid_credential_id', requestId), 'application/problem+json');
    let minTtl = DEFAULT_MIN_TTL_SECONDS;
    if (queryAt >= 0) {
      const query = new URLSearchParams(url.slice(queryAt + 1));
      for (const key of query.keys()) if (key !== 'min_ttl') return send(400, problem(400, 'invalid_parameter', requestId), 'application/problem+json');
      const raw = query.get('min_ttl');
      if (raw !== null) {
        if (!MIN_TTL_PATTERN.test(raw)) return send(400, problem(400, 'invalid_parameter', requestId), 'application/problem+json');
        minTtl = Number(raw);
      }
    }
    const authorization = req.headers.authorization;
    const key = authorization === undefined ? undefined : BEARER_PATTERN.exec(authorization)?.[1];
    const caller = key !== undefined && API_KEY_PATTERN.test(key) ? callers.get(createHash('sha256').update(key).digest('hex')) : undefined;
    if (!caller) return send(401, problem(401, 'unauthenticated', requestId), 'application/problem+json');
    if (!caller.credentials.includes('*') && !(caller.credentials.includes(credentialId) && credentials.has(credentialId))) {
      return send(403, problem(403, 'forbidden', requestId), 'application/problem+json');
    }
    const token = tokens.get(credentialId);
    const now = Date.now();
    if (!token || token.expiresAt - now < Math.max(5_000, minTtl * 1000)) return send(503, problem(503, 'upstream_unavailable', requestId), 'application/problem+json');
    audit.write(
      `${JSON.stringify({
        level: 'info',
        time: new Date(now).toISOString(),
        service: 'token-broker',
        log_type: 'audit',
        request_id: requestId,
        action: 'token.issue',
        outcome: 'success',
        caller_id: caller.id,
        credential_id: credentialId,
        token_fingerprint: fingerprint,
        msg: 'audit',
      })}\n`,
    );
    send(
      200,
      JSON.stringify({
        credential_id: credentialId,
        access_token: token.accessToken,
        token_type: 'bearer',
        expires_in: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
        expires_at: new Date(token.expiresAt).toISOString(),
      }),
    );
  });

  server.listen(input.port, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ ready: { port: input.port } })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    audit.flushSync();
    process.exit(0);
  });
}

main();
