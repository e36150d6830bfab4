/**
 * Adobe I/O Management API emulator: the client-secret endpoints of an OAuth Server-to-Server credential,
 *   GET    /console/organizations/{orgId}/credentials/{credentialId}/secrets
 *   POST   /console/organizations/{orgId}/credentials/{credentialId}/secrets          (201, with client_secret)
 *   DELETE /console/organizations/{orgId}/credentials/{credentialId}/secrets/{uuid}   (204)
 * with the documented fields (uuid, created_at in ms as a string, created_at_str, expires_at "PERMANENT",
 * expires_at_str, secret_usages null | [{last_used_at, grant_type}]) and the cap of 2 secrets.
 *
 * It is wired to an ImsEmulator: a credential's secrets ARE the IMS client's accepted secrets (add and delete
 * change what IMS accepts), `last_used_at` comes from the IMS emulator's successful token requests, and the
 * bearer token must be one the IMS emulator issued to the credential's client with the management scopes.
 *
 * Not documented by Adobe, so chosen here: error bodies follow the Adobe I/O gateway's
 * `{"error_code","message"}` shape; a third secret is refused with 409, deleting the last one with 400, an
 * unknown uuid with 404.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorServer } from './emulator-server';
import type { ImsEmulator } from './ims-emulator';

/** The scopes the I/O Management API requires on the bearer token (Adobe's docs). */
export const CONSOLE_MANAGEMENT_SCOPES = [
  'AdobeID',
  'openid',
  'read_organizations',
  'additional_info.projectedProductContext',
  'additional_info.roles',
  'adobeio_api',
  'read_client_secret',
  'manage_client_secrets',
] as const;

const MAX_SECRETS = 2;

export type ConsoleAction = 'list' | 'add' | 'delete';
export type ConsoleFaultKind = '500' | '503' | '429' | 'reset' | 'garbage';

export interface ConsoleCredentialSeed {
  readonly orgId: string;
  readonly credentialId: string;
  readonly clientId: string;
  /** The secrets the credential has now (at least one); uuids and creation times are generated if absent. */
  readonly secrets: readonly { readonly value: string; readonly uuid?: string; readonly createdAt?: number }[];
}

/** A secret as the test sees it (with its value). */
export interface ConsoleSecretState {
  readonly uuid: string;
  readonly value: string;
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

export interface ConsoleRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly action?: ConsoleAction;
  readonly headers: IncomingHttpHeaders;
  readonly receivedAt: number;
  status?: number;
}

interface StoredSecret {
  uuid: string;
  value: string;
  createdAt: number;
  lastUsedAt?: number;
}

interface StoredCredential {
  clientId: string;
  secrets: StoredSecret[];
}

interface Fault {
  kind: ConsoleFaultKind;
  action?: ConsoleAction;
}

const PATH = /^\/console\/organizations\/([^/]+)\/credentials\/([^/]+)\/secrets(?:\/([^/]+))?$/;

export class AdobeConsoleEmulator {
  /** Origin, e.g. http://127.0.0.1:PORT (the broker's `rotation.consoleUrl`). */
  readonly url: string;
  readonly requests: ConsoleRecordedRequest[] = [];
  /** Latency before every answer. */
  delayMs = 0;
  /**
   * Called after an action changed (or read) the state and before its answer is sent, e.g. to SIGKILL the
   * broker that made the call. The answer waits for the promise, and is not sent if the client is gone.
   */
  afterAction: ((action: ConsoleAction, detail: { uuid?: string }) => void | Promise<void>) | undefined;

  private readonly credentials = new Map<string, StoredCredential>();
  private faults: Fault[] = [];

  private constructor(
    private readonly http: EmulatorServer,
    private readonly ims: ImsEmulator,
  ) {
    this.url = http.url;
  }

  /** Starts on a free loopback port, wired to `ims`. */
  static async start(ims: ImsEmulator): Promise<AdobeConsoleEmulator> {
    return EmulatorServer.listen('AdobeConsoleEmulator', {}, (http) => new AdobeConsoleEmulator(http, ims));
  }

  close(): Promise<void> {
    return this.http.close();
  }


  /** Registers a credential and makes its secrets the IMS client's accepted secrets. Returns the uuids. */
  addCredential(seed: ConsoleCredentialSeed): string[] {
    if (seed.secrets.length === 0 || seed.secrets.length > MAX_SECRETS) throw new Error('a credential has 1 or 2 secrets');
    const now = Date.now();
    const secrets = seed.secrets.map((s) => ({ uuid: s.uuid ?? newUuid(), value: s.value, createdAt: s.createdAt ?? now }));
    this.credentials.set(key(seed.orgId, seed.credentialId), { clientId: seed.clientId, secrets });
    this.syncIms(seed.clientId, secrets);
    return secrets.map((s) => s.uuid);
  }

  /** The credential's secrets, with values and last use, oldest first. */
  secrets(orgId: string, credentialId: string): ConsoleSecretState[] {
    const credential = this.require(orgId, credentialId);
    this.refreshUsage(credential);
    return credential.secrets.map((s) => ({ ...s }));
  }

  /** Pretends Adobe saw the secret used at `at` (epoch ms). */
  setLastUsed(orgId: string, credentialId: string, uuid: string, at: number): void {
    const secret = this.require(orgId, credentialId).secrets.find((s) => s.uuid === uuid);
    if (!secret) throw new Error(`no secret ${uuid}`);
    secret.lastUsedAt = at;
  }

  /** Adds a secret behind the broker's back (as a person in the Developer Console would). */
  addSecretDirectly(orgId: string, credentialId: string, value: string, createdAt = Date.now()): string {
    const credential = this.require(orgId, credentialId);
    if (credential.secrets.length >= MAX_SECRETS) throw new Error('cap of 2 secrets reached');
    const uuid = newUuid();
    credential.secrets.push({ uuid, value, createdAt });
    this.syncIms(credential.clientId, credential.secrets);
    return uuid;
  }

  /** The next `n` requests (of `action`, if given) get `kind`. */
  failNext(n: number, kind: ConsoleFaultKind, action?: ConsoleAction): void {
    for (let i = 0; i < n; i++) this.faults.push({ kind, ...(action ? { action } : {}) });
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.delayMs = 0;
    this.afterAction = undefined;
  }

  // ---- HTTP -------------------------------------------------------------------

  /** Answers one request (called by the EmulatorServer). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = PATH.exec(url.pathname);
    const method = req.method ?? '';
    const action: ConsoleAction | undefined = !match
      ? undefined
      : match[3] !== undefined
        ? method === 'DELETE'
          ? 'delete'
          : undefined
        : method === 'GET'
          ? 'list'
          : method === 'POST'
            ? 'add'
            : undefined;
    const record: ConsoleRecordedRequest = { method, path: url.pathname, ...(action ? { action } : {}), headers: { ...req.headers }, receivedAt: Date.now() };
    this.requests.push(record);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.http.closed || res.destroyed) return;

    const faultIndex = this.faults.findIndex((f) => f.action === undefined || f.action === action);
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      return this.sendFault(req, res, record, (fault as Fault).kind);
    }
    if (!match || !action) return this.send(res, record, 404, { error_code: '404000', message: 'Resource not found' });
    const orgId = decodeURIComponent(match[1] ?? '');
    const credentialId = decodeURIComponent(match[2] ?? '');
    const credential = this.credentials.get(key(orgId, credentialId));

    const denied = this.authorize(req.headers, credential);
    if (denied) return this.send(res, record, denied.status, denied.body);
    if (!credential) return this.send(res, record, 404, { error_code: '404001', message: 'Credential not found' });

    switch (action) {
      case 'list': {
        this.refreshUsage(credential);
        const body = { client_id: credential.clientId, client_secrets: credential.secrets.map((s) => describe(s)) };
        await this.afterAction?.('list', {});
        return this.send(res, record, 200, body);
      }
      case 'add': {
        if (credential.secrets.length >= MAX_SECRETS) {
          return this.send(res, record, 409, { error_code: '409001', message: `A credential can have at most ${MAX_SECRETS} client secrets.` });
        }
        const secret: StoredSecret = { uuid: newUuid(), value: `p8e-${randomBytes(24).toString('base64url')}`, createdAt: Date.now() };
        credential.secrets.push(secret);
        this.syncIms(credential.clientId, credential.secrets);
        await this.afterAction?.('add', { uuid: secret.uuid });
        return this.send(res, record, 201, { ...describe(secret), client_secret: secret.value });
      }
      case 'delete': {
        const uuid = decodeURIComponent(match[3] ?? '');
        const index = credential.secrets.findIndex((s) => s.uuid === uuid);
        if (index < 0) return this.send(res, record, 404, { error_code: '404002', message: 'Client secret not found' });
        if (credential.secrets.length === 1) {
          return this.send(res, record, 400, { error_code: '400001', message: 'The last client secret of a credential cannot be deleted.' });
        }
        const [removed] = credential.secrets.splice(index, 1);
        this.ims.removeSecret(credential.clientId, (removed as StoredSecret).value);
        await this.afterAction?.('delete', { uuid });
        return this.send(res, record, 204, undefined);
      }
      default: {
        const unknown: never = action;
        throw new Error(`unknown action ${String(unknown)}`);
      }
    }
  }

  /** Gateway checks, in Adobe's order: a valid bearer token, then an API key matching its client. */
  private authorize(headers: IncomingHttpHeaders, credential: StoredCredential | undefined): { status: number; body: unknown } | undefined {
    const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
    const issued = bearer === undefined ? undefined : this.ims.issued.find((t) => t.token === bearer);
    if (!issued) return { status: 401, body: { error_code: '401013', message: 'Oauth token is not valid' } };
    const apiKey = headers['x-api-key'];
    if (typeof apiKey !== 'string' || apiKey.length === 0) return { status: 403, body: { error_code: '403000', message: 'Api Key is required' } };
    if (apiKey !== issued.clientId) return { status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } };
    const missing = CONSOLE_MANAGEMENT_SCOPES.filter((scope) => !issued.scopes.includes(scope));
    if (missing.length > 0) return { status: 403, body: { error_code: '403027', message: `Token lacks scopes: ${missing.join(',')}` } };
    if (credential && credential.clientId !== issued.clientId) return { status: 403, body: { error_code: '403010', message: 'Not allowed for this credential' } };
    return undefined;
  }

  private sendFault(req: IncomingMessage, res: ServerResponse, record: ConsoleRecordedRequest, kind: ConsoleFaultKind): void {
    switch (kind) {
      case '500':
      case '503':
        return this.send(res, record, Number(kind), { error_code: `${kind}000`, message: 'Service unavailable' });
      case '429':
        res.setHeader('Retry-After', '1');
        return this.send(res, record, 429, { error_code: '429001', message: 'Too many requests' });
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'garbage':
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>oops</html>');
        return;
      default: {
        const unknown: never = kind;
        throw new Error(`unknown fault ${String(unknown)}`);
      }
    }
  }

  private send(res: ServerResponse, record: ConsoleRecordedRequest, status: number, body: unknown): void {
    record.status = status;
    if (res.destroyed) return;
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Adobe records a use per successful token request with the secret; read them off the IMS emulator. */
  private refreshUsage(credential: StoredCredential): void {
    for (const request of this.ims.requests) {
      if (request.status !== 200 || request.params['client_id'] !== credential.clientId) continue;
      const secret = credential.secrets.find((s) => s.value === request.params['client_secret']);
      if (secret && (secret.lastUsedAt === undefined || request.receivedAt > secret.lastUsedAt)) secret.lastUsedAt = request.receivedAt;
    }
  }

  private syncIms(clientId: string, secrets: readonly StoredSecret[]): void {
    const values = secrets.map((s) => s.value);
    try {
      this.ims.setClientSecrets(clientId, values);
    } catch {
      this.ims.addClient({ clientId, secrets: values });
    }
  }

  private require(orgId: string, credentialId: string): StoredCredential {
    const credential = this.credentials.get(key(orgId, credentialId));
    if (!credential) throw new Error(`AdobeConsoleEmulator: no credential ${orgId}/${credentialId}`);
    return credential;
  }
}

function describe(secret: StoredSecret): Record<string, unknown> {
  return {
    expires_at: 'PERMANENT',
    expires_at_str: 'PERMANENT',
    created_at: String(secret.createdAt),
    created_at_str: new Date(secret.createdAt).toUTCString(),
    uuid: secret.uuid,
    secret_usages: secret.lastUsedAt === undefined ? null : [{ last_used_at: String(secret.lastUsedAt), grant_type: 'client_credentials' }],
  };
}

function key(orgId: string, credentialId: string): string {
  return `${orgId}/${credentialId}`;
}

/** Adobe's uuids are 32 hex digits. */
function newUuid(): string {
  return randomBytes(16).toString('hex');
}
