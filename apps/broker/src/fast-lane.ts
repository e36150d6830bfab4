import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AccessPolicy, callerAudit, type CallerAuthenticator, presentedCertificateOf } from '@broker/access';
import type { ConfigService } from '@broker/config';
import { type AccessRecord, requestIdFrom } from '@broker/observability';
import type { RateLimiter } from '@broker/rate-limit';
import type { TokenService } from '@broker/tokens';
import type { TokenServing } from './token-serving';
import { MAX_MIN_TTL_SECONDS } from './token-request';

/**
 * The one shape of request the fast lane takes: `GET /v1/tokens/{id}` or `…/headers`, a well-formed id, and
 * no query or only `min_ttl`. Anything else (other characters, other parameters, percent-encoding) is left to
 * the standard lane, whose answer it is.
 */
const FAST_LANE_TARGET = /^\/v1\/tokens\/([A-Za-z0-9._-]{1,64})(\/headers)?(?:\?min_ttl=(\d{1,6}))?$/;
const ROUTES = { token: '/v1/tokens/:credentialId', headers: '/v1/tokens/:credentialId/headers' } as const;
const CONTENT_TYPE = 'application/json; charset=utf-8';

export interface FastLaneDependencies {
  readonly authenticator: CallerAuthenticator;
  readonly limiter: RateLimiter;
  readonly access: AccessPolicy;
  readonly tokens: TokenService;
  readonly serving: TokenServing;
  readonly config: ConfigService;
  /** The access line and HTTP metrics of an answered request (the same writer Fastify's requests use). */
  readonly recordAccess: (record: AccessRecord) => void;
  /** True once the server is closing: the standard lane then answers 503. */
  readonly closing: () => boolean;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Puts the fast lane in front of Fastify on `server`. The fast lane answers the broker's most frequent
 * request, a token (or its headers) the broker holds, for a caller that may have it, straight from the
 * HTTP server's request event: Fastify's routing and the twelve lifecycle hooks Nest and the broker add to
 * every request cost a cache hit more than the broker's own work (docs/benchmarks.md §1).
 *
 * It only ever answers 200, and decides to before it does anything that shows: every check is made first,
 * and a request that fails one (no or a wrong key, a JWT or another caller whose identity is checked
 * asynchronously, no grant, no held token valid for `min_ttl`, a refused or shared rate limit, an unverified
 * client certificate, a closing server, any other path or query) goes to Fastify untouched, where the
 * standard lane (the `@HotPath` handlers) answers it with its problem response and audit line. What the
 * fast lane does is the standard lane's own code: `CallerAuthenticator`, the rate limiter, `AccessPolicy`,
 * `TokenService`, `TokenServing` (audit line and body), the access recorder (metrics, access line), and
 * `requestIdFrom`; `test/e2e/hot-path` checks that both lanes and Nest's pipeline answer alike.
 */
export function installFastLane(server: Server, deps: FastLaneDependencies): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`the fast lane goes in front of one request listener (Fastify's), found ${listeners.length}`);
  const standard = listeners[0] as RequestListener;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!serveFromFastLane(deps, request, response)) standard(request, response);
  });
}

/** Answers `request` and returns true when it is a fast-lane request; otherwise touches nothing and returns false. */
function serveFromFastLane(deps: FastLaneDependencies, request: IncomingMessage, response: ServerResponse): boolean {
  const started = performance.now();
  if (request.method !== 'GET' || deps.closing()) return false;
  const target = FAST_LANE_TARGET.exec(request.url ?? '');
  const { headers } = request;
  // Without Host (refused by the standard lane), or with a body (a GET needs none): the standard lane's answer.
  if (target === null || headers.host === undefined || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
  const credentialId = target[1] as string;
  const minTtl = target[3] === undefined ? deps.config.current.tokens.minTtlDefaultSeconds : Number(target[3]);
  if (minTtl > MAX_MIN_TTL_SECONDS) return false;
  const certificate = presentedCertificateOf(request.socket);
  if (certificate !== undefined && !certificate.verified) return false;
  const caller = deps.authenticator.authenticateNow(headers.authorization, certificate);
  if (caller === undefined || !deps.access.mayFetch(caller, credentialId)) return false;
  const held = deps.tokens.peekHeldToken(credentialId, minTtl);
  if (held === undefined) return false;
  // The last check, and the only one that takes something: a refused take takes nothing, so the standard
  // lane's own take refuses it again and answers the 429.
  if (caller.rateLimit !== undefined && deps.limiter.takeNow(caller.id, caller.rateLimit) !== 0) return false;

  const answer = target[2] === undefined ? 'token' : 'headers';
  const token = deps.tokens.heldToken(credentialId, minTtl) ?? held;
  const requestId = requestIdFrom(headers['x-request-id']);
  const body = deps.serving.issueHeld(answer, credentialId, token, callerAudit(caller, certificate?.fingerprint), requestId);
  response.writeHead(200, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-request-id': requestId,
  });
  response.end(body);
  deps.recordAccess({ requestId, method: 'GET', route: ROUTES[answer], status: 200, durationMs: performance.now() - started });
  return true;
}
