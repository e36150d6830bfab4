/**
 * Adobe IMS OAuth Server-to-Server emulator (client_credentials grant at
 * POST /ims/token/v3) for integration and e2e tests, with fault injection.
 * Also the legacy Service Account (JWT) exchange at POST /ims/exchange/jwt:
 * multipart/form-data (client_id, client_secret, jwt_token), the JWT signed
 * RS256 with iss = org, sub = technical account, aud = {ims}/c/{client_id},
 * exp, and one `{ims}/s/{metascope}: true` claim per metascope; its success
 * answer counts expires_in in *milliseconds* (86399992), as Adobe's does.
 *
 * Facts it mirrors (see /work/shared/reference/README.md and Adobe's
 * "OAuth Server-to-Server credential API Reference"): form-encoded params,
 * which may also come in the query string; all four params (grant_type,
 * client_id, client_secret, scope) are mandatory; scopes are comma-separated;
 * success is {"access_token","token_type":"bearer","expires_in":<seconds>};
 * errors are 4xx JSON {"error","error_description"}.
 *
 * Run standalone (demo/docker), compiled or straight from source on Node >= 22.18:
 *   IMS_EMULATOR_PORT=9000 IMS_EMULATOR_CLIENTS='[{"clientId":"c","secrets":["s"]}]' node test/support/ims-emulator.ts
 * Optional: IMS_EMULATOR_HOST (default 127.0.0.1), IMS_EMULATOR_TOKEN_LIFETIME_SECONDS.
 */
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { errors as joseErrors, jwtVerify } from 'jose';
import { EmulatorServer, readBody } from './emulator-server';

export const IMS_TOKEN_PATH = '/ims/token/v3';
export const IMS_JWT_EXCHANGE_PATH = '/ims/exchange/jwt';

/** What a faulty response looks like; see ImsEmulator.failNext. */
export type ImsFaultKind = '429' | '500' | '503' | 'reset' | 'garbage' | 'huge' | 'bad_expires';
export type ImsMode = 'ok' | ImsFaultKind;

export interface ImsClientConfig {
  clientId: string;
  secrets: string[];
  /** Scopes the client may request; undefined allows any scope. */
  scopes?: string[];
}

/** A Service Account (JWT) integration: its public key (or certificate) is what IMS verifies the JWT with. */
export interface ImsJwtClientConfig {
  clientId: string;
  clientSecret: string;
  /** PEM public key or certificate, or a KeyObject. */
  publicKey: KeyObject | string;
  orgId: string;
  technicalAccountId: string;
  /** Metascopes the integration may claim; the JWT must claim at least one, and no other. */
  metascopes: string[];
}

interface JwtClient {
  clientSecret: string;
  publicKey: KeyObject;
  orgId: string;
  technicalAccountId: string;
  metascopes: Set<string>;
}

export interface ImsFaultOptions {
  /** For '429': value of the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** For 'bad_expires': the expires_in value to send (e.g. 86399992, 0, -5, "86399"). */
  expiresIn?: number | string | null;
}

export interface ImsStartOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { readonly cert: string; readonly key: string };
}

export interface ImsRecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Query-string parameters only. */
  query: Record<string, string>;
  /** Query-string and body parameters merged (body wins). */
  params: Record<string, string>;
  body: string;
  /** True when client_secret appeared in the query string (which ends up in access logs). */
  secretInQuery: boolean;
  receivedAt: number;
  /** HTTP status sent; undefined while pending, or when the socket was reset/dropped. */
  status?: number;
}

export interface ImsIssuedToken {
  token: string;
  clientId: string;
  scopes: string[];
  expiresIn: number | string | null;
  issuedAt: number;
}

interface QueuedFault {
  kind: ImsFaultKind;
  options: ImsFaultOptions;
}

interface OAuthError {
  status: number;
  error: string;
  description: string;
}

const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
const DEFAULT_TOKEN_LIFETIME_SECONDS = 86399;
/** What Adobe's JWT exchange answers: 24 hours less a little, in milliseconds. */
const DEFAULT_JWT_TOKEN_LIFETIME_MS = 86399992;
const DEFAULT_RETRY_AFTER_SECONDS = 1;
/** The legacy JWT exchange's millisecond value: the classic unit mix-up. */
const DEFAULT_BAD_EXPIRES_IN = 86399992;
const DEFAULT_HUGE_BODY_BYTES = 10 * 1024 * 1024;

export class ImsEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  /** Token endpoint URL, i.e. url + /ims/token/v3. */
  readonly tokenUrl: string;

  /** expires_in (seconds) of successfully issued tokens. */
  tokenLifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS;
  /** expires_in (milliseconds) of tokens issued by the JWT exchange. */
  jwtTokenLifetimeMs = DEFAULT_JWT_TOKEN_LIFETIME_MS;
  /** When false, a missing scope is accepted (Adobe documents scope as mandatory). */
  requireScope = true;

  /** Persistent fault applied to every token request once failNext's queue is empty. */
  mode: ImsMode = 'ok';
  /** Latency added before every token-endpoint response (including faults). */
  delayMs = 0;
  /** Retry-After for '429' faults without their own value. */
  retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
  /** expires_in for 'bad_expires' faults without their own value. */
  badExpiresIn: number | string | null = DEFAULT_BAD_EXPIRES_IN;
  /** Body size of 'huge' responses. */
  hugeBodyBytes = DEFAULT_HUGE_BODY_BYTES;

  /** Token requests received at either endpoint (any method, any outcome). */
  calls = 0;
  readonly issued: ImsIssuedToken[] = [];
  readonly requests: ImsRecordedRequest[] = [];

  private readonly clients = new Map<string, { secrets: Set<string>; scopes?: Set<string> }>();
  private readonly jwtClients = new Map<string, JwtClient>();
  private faultQueue: QueuedFault[] = [];

  private constructor(private readonly http: EmulatorServer) {
    this.url = http.url;
    this.tokenUrl = `${http.url}${IMS_TOKEN_PATH}`;
  }

  static async start(options: ImsStartOptions = {}): Promise<ImsEmulator> {
    return EmulatorServer.listen('ImsEmulator', options, (http) => new ImsEmulator(http));
  }

  /** Stops listening; pending (delayed) requests are dropped, open connections destroyed. */
  close(): Promise<void> {
    return this.http.close();
  }


  // ---- clients -------------------------------------------------------------

  addClient(client: ImsClientConfig): void {
    this.clients.set(client.clientId, {
      secrets: new Set(client.secrets),
      ...(client.scopes ? { scopes: new Set(client.scopes) } : {}),
    });
  }

  /** Replaces the accepted secrets of a client (e.g. after a rotation). */
  setClientSecrets(clientId: string, secrets: string[]): void {
    this.requireClient(clientId).secrets = new Set(secrets);
  }

  /** Revokes one secret; later requests with it get 401 invalid_client. */
  removeSecret(clientId: string, secret: string): void {
    this.requireClient(clientId).secrets.delete(secret);
  }

  removeClient(clientId: string): void {
    this.clients.delete(clientId);
    this.jwtClients.delete(clientId);
  }

  /** Registers a Service Account (JWT) integration for the exchange at /ims/exchange/jwt. */
  addJwtClient(client: ImsJwtClientConfig): void {
    this.jwtClients.set(client.clientId, {
      clientSecret: client.clientSecret,
      publicKey: typeof client.publicKey === 'string' ? createPublicKey(client.publicKey) : client.publicKey,
      orgId: client.orgId,
      technicalAccountId: client.technicalAccountId,
      metascopes: new Set(client.metascopes),
    });
  }

  // ---- faults and observations ----------------------------------------------

  /** The next n token requests (either endpoint) get `kind`; afterwards `mode` applies again. */
  failNext(n: number, kind: ImsFaultKind, options: ImsFaultOptions = {}): void {
    for (let i = 0; i < n; i++) this.faultQueue.push({ kind, options });
  }

  /** Clears counters, recorded requests/tokens and every fault setting; clients and tokenLifetimeSeconds stay. */
  reset(): void {
    this.calls = 0;
    this.issued.length = 0;
    this.requests.length = 0;
    this.faultQueue = [];
    this.mode = 'ok';
    this.delayMs = 0;
    this.retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS;
    this.badExpiresIn = DEFAULT_BAD_EXPIRES_IN;
    this.hugeBodyBytes = DEFAULT_HUGE_BODY_BYTES;
  }

  /** Tokens issued to one client, oldest first. */
  issuedTo(clientId: string): ImsIssuedToken[] {
    return this.issued.filter((t) => t.clientId === clientId);
  }

  // ---- request handling -----------------------------------------------------

  /** Answers one request (called by the EmulatorServer). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== IMS_TOKEN_PATH && url.pathname !== IMS_JWT_EXCHANGE_PATH) {
      req.resume();
      this.sendJson(res, 404, { error: 'not_found', error_description: `no route for ${url.pathname}` });
      return;
    }
    this.calls++;

    const query = Object.fromEntries(url.searchParams);
    const record: ImsRecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      headers: { ...req.headers },
      query,
      params: { ...query },
      body: '',
      secretInQuery: url.searchParams.has('client_secret'),
      receivedAt: Date.now(),
    };
    this.requests.push(record);

    const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    const fault = this.takeFault();
    if (this.delayMs > 0) await this.http.sleep(this.delayMs);
    if (this.http.closed || res.destroyed) return;

    if (body === undefined) {
      return this.sendError(res, record, { status: 413, error: 'invalid_request', description: 'request body too large' });
    }
    record.body = body;

    if (fault && fault.kind !== 'bad_expires') {
      this.sendFault(req, res, record, fault);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.sendError(res, record, { status: 405, error: 'invalid_request', description: 'method not allowed' });
    }

    const contentType = mediaType(req.headers['content-type']);
    if (url.pathname === IMS_JWT_EXCHANGE_PATH) {
      return this.exchangeJwt(res, record, contentType, req.headers['content-type'], body, fault);
    }
    if (body.length > 0 || contentType !== undefined) {
      if (contentType !== 'application/x-www-form-urlencoded') {
        return this.sendError(res, record, {
          status: 400,
          error: 'invalid_request',
          description: 'Content-Type must be application/x-www-form-urlencoded',
        });
      }
      Object.assign(record.params, Object.fromEntries(new URLSearchParams(body)));
    }

    const outcome = this.authorize(record.params);
    if ('error' in outcome) return this.sendError(res, record, outcome);

    const expiresIn = fault
      ? fault.options.expiresIn !== undefined
        ? fault.options.expiresIn
        : this.badExpiresIn
      : this.tokenLifetimeSeconds;
    const token = newAccessToken();
    this.issued.push({ token, clientId: outcome.clientId, scopes: outcome.scopes, expiresIn, issuedAt: Date.now() });
    record.status = 200;
    this.sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: expiresIn });
  }

  /** POST /ims/exchange/jwt after the shared preamble (faults, method): multipart fields, then the JWT. */
  private async exchangeJwt(
    res: ServerResponse,
    record: ImsRecordedRequest,
    contentType: string | undefined,
    rawContentType: string | undefined,
    body: string,
    fault: QueuedFault | undefined,
  ): Promise<void> {
    if (contentType !== 'multipart/form-data') {
      return this.sendError(res, record, { status: 400, error: 'invalid_request', description: 'Content-Type must be multipart/form-data' });
    }
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': rawContentType ?? '' } }).formData();
    } catch {
      return this.sendError(res, record, { status: 400, error: 'invalid_request', description: 'malformed multipart body' });
    }
    for (const [name, value] of form) if (typeof value === 'string') record.params[name] = value;

    const outcome = await this.verifyJwtExchange(record.params);
    if ('error' in outcome) return this.sendError(res, record, outcome);

    const expiresIn = fault ? (fault.options.expiresIn !== undefined ? fault.options.expiresIn : this.badExpiresIn) : this.jwtTokenLifetimeMs;
    const token = newAccessToken();
    this.issued.push({ token, clientId: outcome.clientId, scopes: outcome.scopes, expiresIn, issuedAt: Date.now() });
    record.status = 200;
    this.sendJson(res, 200, { token_type: 'bearer', access_token: token, expires_in: expiresIn });
  }

  /** Client, secret, then the JWT (RS256 signature, iss, sub, aud, exp, metascopes), as IMS checks them. */
  private async verifyJwtExchange(params: Record<string, string>): Promise<OAuthError | { clientId: string; scopes: string[] }> {
    const clientId = params['client_id'];
    if (!clientId) return invalidRequest('missing client_id parameter');
    const secret = params['client_secret'];
    if (!secret) return invalidRequest('missing client_secret parameter');
    const jwt = params['jwt_token'];
    if (!jwt) return invalidRequest('missing jwt_token parameter');
    const client = this.jwtClients.get(clientId);
    if (!client) return { status: 400, error: 'invalid_client', description: 'invalid client_id parameter' };
    if (client.clientSecret !== secret) return { status: 400, error: 'invalid_client', description: 'invalid client_secret parameter' };

    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(jwt, client.publicKey, {
        algorithms: ['RS256'],
        issuer: client.orgId,
        subject: client.technicalAccountId,
        audience: `${this.url}/c/${clientId}`,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return { status: 400, error: 'invalid_token', description: describeJwtError(error) };
    }
    const prefix = `${this.url}/s/`;
    const claimed = Object.keys(claims).filter((key) => key.startsWith(prefix));
    const refused = claimed.filter((key) => claims[key] !== true || !client.metascopes.has(key.slice(prefix.length)));
    if (claimed.length === 0 || refused.length > 0) {
      return { status: 400, error: 'invalid_scope', description: claimed.length === 0 ? 'no metascope claimed' : `metascope(s) not allowed: ${refused.join(',')}` };
    }
    return { clientId, scopes: claimed.map((key) => key.slice(prefix.length)) };
  }

  /** OAuth parameter and credential checks, in the order IMS reports them. */
  private authorize(params: Record<string, string>): OAuthError | { clientId: string; scopes: string[] } {
    const grantType = params['grant_type'];
    if (!grantType) return invalidRequest('missing grant_type parameter');
    if (grantType !== 'client_credentials') {
      return { status: 400, error: 'unsupported_grant_type', description: `unsupported grant_type: ${grantType}` };
    }
    const clientId = params['client_id'];
    if (!clientId) return invalidRequest('missing client_id parameter');
    const secret = params['client_secret'];
    if (!secret) return invalidRequest('missing client_secret parameter');
    const scopeParam = params['scope'];
    if (!scopeParam && this.requireScope) return invalidRequest('missing scope parameter');

    const client = this.clients.get(clientId);
    if (!client) return { status: 401, error: 'invalid_client', description: 'invalid client_id parameter' };
    if (!client.secrets.has(secret)) {
      return { status: 401, error: 'invalid_client', description: 'invalid client_secret parameter' };
    }

    const scopes = (scopeParam ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const allowed = client.scopes;
    const refused = allowed ? scopes.filter((s) => !allowed.has(s)) : [];
    if (refused.length > 0) {
      return { status: 400, error: 'invalid_scope', description: `invalid scope(s): ${refused.join(',')}` };
    }
    return { clientId, scopes };
  }

  private sendFault(req: IncomingMessage, res: ServerResponse, record: ImsRecordedRequest, fault: QueuedFault): void {
    const kind = fault.kind;
    switch (kind) {
      case '429': {
        const retryAfter = fault.options.retryAfterSeconds ?? this.retryAfterSeconds;
        res.setHeader('Retry-After', String(retryAfter));
        return this.sendError(res, record, {
          status: 429,
          error: 'too_many_requests',
          description: 'too many requests, retry later',
        });
      }
      case '500':
        return this.sendError(res, record, { status: 500, error: 'server_error', description: 'internal server error' });
      case '503':
        return this.sendError(res, record, {
          status: 503,
          error: 'temporarily_unavailable',
          description: 'service temporarily unavailable',
        });
      case 'reset':
        // A TCP RST, not a clean FIN: the client sees ECONNRESET and no status line.
        req.socket.resetAndDestroy();
        return;
      case 'garbage':
        // Claims JSON, is not: the client's parser must cope.
        record.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      case 'huge': {
        // Valid JSON with a real-looking token, so a client without a response size cap "succeeds".
        record.status = 200;
        const head = `{"access_token":"${newAccessToken()}","token_type":"bearer","expires_in":${this.tokenLifetimeSeconds},"padding":"`;
        const tail = '"}';
        const padding = Math.max(0, this.hugeBodyBytes - head.length - tail.length);
        const body = Buffer.concat([Buffer.from(head), Buffer.alloc(padding, 'a'), Buffer.from(tail)]);
        res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': body.length });
        res.end(body);
        return;
      }
      case 'bad_expires':
        // Handled on the success path (credentials are still checked).
        throw new Error('unreachable: bad_expires is not a transport fault');
      default: {
        const unknownKind: never = kind;
        throw new Error(`unknown fault ${String(unknownKind)}`);
      }
    }
  }

  private takeFault(): QueuedFault | undefined {
    const queued = this.faultQueue.shift();
    if (queued) return queued;
    return this.mode === 'ok' ? undefined : { kind: this.mode, options: {} };
  }

  private sendError(res: ServerResponse, record: ImsRecordedRequest, err: OAuthError): void {
    record.status = err.status;
    this.sendJson(res, err.status, { error: err.error, error_description: err.description });
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': Buffer.byteLength(text),
      // RFC 6749 §5.1: token responses must not be cached.
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
    res.end(text);
  }

  private requireClient(clientId: string): { secrets: Set<string>; scopes?: Set<string> } {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`ImsEmulator: unknown client ${clientId}`);
    return client;
  }
}

function describeJwtError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'JWT expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Could not match JWT signature to any of the bindings';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `JWT claim invalid: ${error.claim}`;
  return 'invalid JWT';
}

function invalidRequest(description: string): OAuthError {
  return { status: 400, error: 'invalid_request', description };
}

/** Opaque, unique, JWT-looking (IMS tokens start with "eyJ"), but not a parseable JWT. */
function newAccessToken(): string {
  return `eyJ${randomBytes(32).toString('base64url')}`;
}

function mediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return header.split(';')[0]?.trim().toLowerCase();
}


// ---- standalone CLI ---------------------------------------------------------

function parseClients(json: string): ImsClientConfig[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('IMS_EMULATOR_CLIENTS must be a JSON array');
  return parsed.map((entry: unknown, i) => {
    const c = entry as Partial<ImsClientConfig> | null;
    if (!c || typeof c.clientId !== 'string' || !Array.isArray(c.secrets)) {
      throw new Error(`IMS_EMULATOR_CLIENTS[${i}] needs {"clientId": string, "secrets": string[]}`);
    }
    return { clientId: c.clientId, secrets: c.secrets.map(String), ...(c.scopes ? { scopes: c.scopes.map(String) } : {}) };
  });
}

async function main(): Promise<void> {
  const port = Number(process.env['IMS_EMULATOR_PORT'] ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('IMS_EMULATOR_PORT must be a port number');
  const host = process.env['IMS_EMULATOR_HOST'] ?? '127.0.0.1';
  const clients = parseClients(process.env['IMS_EMULATOR_CLIENTS'] ?? '[]');
  const lifetime = process.env['IMS_EMULATOR_TOKEN_LIFETIME_SECONDS'];

  const emulator = await ImsEmulator.start({ port, host });
  for (const client of clients) emulator.addClient(client);
  if (lifetime !== undefined) emulator.tokenLifetimeSeconds = Number(lifetime);
  console.log(JSON.stringify({ msg: 'ims emulator listening', url: emulator.url, clients: clients.map((c) => c.clientId) }));

  const shutdown = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/**
 * True when this file is the entry point: compiled to CommonJS (`node dist/.../ims-emulator.js`),
 * or run from source with Node's type stripping (`node test/support/ims-emulator.ts`), which
 * loads it as an ES module where `require` does not exist.
 */
function isEntryPoint(): boolean {
  if (typeof require !== 'undefined') return require.main === module;
  return /ims-emulator\.[cm]?[jt]s$/.test(process.argv[1] ?? '');
}

if (isEntryPoint()) {
  main().catch((err: unknown) => {
    console.error(JSON.stringify({ msg: 'ims emulator failed to start', error: String(err) }));
    process.exit(1);
  });
}
