/**
 * AWS Secrets Manager emulator speaking the AWS JSON 1.1 protocol, so the REAL
 * `SecretsManagerClient` (endpoint option or AWS_ENDPOINT_URL_SECRETS_MANAGER)
 * can be tested against it, including its error mapping and retries.
 *
 * Versions and staging labels follow the AWS API reference: each label sits on
 * at most one version; moving AWSCURRENT (PutSecretValue or
 * UpdateSecretVersionStage) moves AWSPREVIOUS to the version that lost it;
 * versions without labels are "deprecated" and kept; PutSecretValue is
 * idempotent per ClientRequestToken (= VersionId).
 *
 * Not emulated: SigV4 verification (only the presence of an Authorization
 * header), KMS, rotation Lambdas, deletion, tags, resource policies.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorServer, readBody } from './emulator-server';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/**
 * unavailable: HTTP 503 ServiceUnavailable; reset: TCP reset, no response;
 * throttle: HTTP 400 ThrottlingException; internal: HTTP 500 InternalFailure;
 * slow: answered normally after `slowMs`.
 * The SDK treats all but 'slow' as retryable.
 */
export type SmFaultKind = 'unavailable' | 'reset' | 'throttle' | 'internal' | 'slow';
export type SmMode = 'ok' | SmFaultKind;

export interface SmStartOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1; used in ARNs. */
  region?: string;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { readonly cert: string; readonly key: string };
  /** Default 123456789012; used in ARNs. */
  accountId?: string;
}

export interface SmRecordedRequest {
  action: string;
  input: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  receivedAt: number;
  /** HTTP status sent, or undefined for a reset/dropped request. */
  status?: number;
  /** `__type` of an error response. */
  errorType?: string;
}

export interface SecretVersionSnapshot {
  versionId: string;
  secretString?: string;
  secretBinary?: Buffer;
  stages: string[];
  createdDate: Date;
}

export interface PutSecretSeedOptions {
  /** Default: a new UUID. */
  versionId?: string;
  /** Default [AWSCURRENT]; e.g. [AWSPENDING] to seed a half-finished rotation. */
  stages?: string[];
}

interface StoredVersion {
  versionId: string;
  secretString?: string;
  /** Base64, exactly as it travels in the JSON protocol. */
  secretBinary?: string;
  createdDate: number;
  stages: Set<string>;
}

interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  createdDate: number;
  lastChangedDate: number;
  /** Insertion-ordered: oldest first. */
  versions: Map<string, StoredVersion>;
}

type Input = Record<string, unknown>;

/** An AWS error response; `type` becomes `__type`, which the SDK maps to `err.name`. */
class AwsError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
const DEFAULT_SLOW_MS = 5000;

export class SecretsManagerEmulator {
  readonly url: string;
  readonly region: string;
  readonly accountId: string;

  /** Persistent fault applied once failNext's queue is empty. */
  mode: SmMode = 'ok';
  /** Latency added before every response (any mode). */
  delayMs = 0;
  /** How long a 'slow' request waits before being answered normally. */
  slowMs = DEFAULT_SLOW_MS;
  /**
   * Called after an action succeeded and before its answer is sent, e.g. to SIGKILL the broker that made
   * the call (the change is then made, but the caller never learns it). The answer waits for the promise.
   */
  afterAction: ((action: string, input: Readonly<Record<string, unknown>>) => void | Promise<void>) | undefined;

  /** Requests received (any action, any outcome). */
  calls = 0;
  callsByAction: Record<string, number> = {};
  readonly requests: SmRecordedRequest[] = [];

  private readonly secrets = new Map<string, StoredSecret>();
  private faultQueue: SmFaultKind[] = [];

  private constructor(private readonly http: EmulatorServer, region: string, accountId: string) {
    this.url = http.url;
    this.region = region;
    this.accountId = accountId;
  }

  static async start(options: SmStartOptions = {}): Promise<SecretsManagerEmulator> {
    return EmulatorServer.listen('SecretsManagerEmulator', options, (http) => new SecretsManagerEmulator(http, options.region ?? 'us-east-1', options.accountId ?? '123456789012'));
  }

  /** Stops listening; pending (delayed) requests are dropped, open connections destroyed. */
  close(): Promise<void> {
    return this.http.close();
  }


  /** The next n requests get `kind`; afterwards `mode` applies again. */
  failNext(n: number, kind: SmFaultKind): void {
    for (let i = 0; i < n; i++) this.faultQueue.push(kind);
  }

  /** Clears counters, recorded requests and fault settings. Secrets stay (use clearSecrets()). */
  reset(): void {
    this.calls = 0;
    this.callsByAction = {};
    this.requests.length = 0;
    this.faultQueue = [];
    this.mode = 'ok';
    this.delayMs = 0;
    this.slowMs = DEFAULT_SLOW_MS;
  }

  clearSecrets(): void {
    this.secrets.clear();
  }

  // ---- seed helpers (no HTTP, no counters) ----------------------------------

  /** Creates the secret if needed and adds a version (AWSCURRENT unless `stages` says otherwise). */
  putSecret(name: string, secretString: string, options: PutSecretSeedOptions = {}): { arn: string; versionId: string } {
    const secret = this.secrets.get(name) ?? this.createStoredSecret(name);
    const version = this.addVersion(secret, options.versionId ?? randomUUID(), { secretString }, options.stages ?? [AWSCURRENT]);
    return { arn: secret.arn, versionId: version.versionId };
  }

  hasSecret(name: string): boolean {
    return this.secrets.has(name);
  }

  /** SecretString of the AWSCURRENT version; undefined when no version is current. Throws for an unknown secret. */
  getCurrent(name: string): string | undefined {
    return holderOf(this.seeded(name), AWSCURRENT)?.secretString;
  }

  /** All versions (deprecated ones included), oldest first. Throws for an unknown secret. */
  versions(name: string): SecretVersionSnapshot[] {
    return [...this.seeded(name).versions.values()].map((v) => ({
      versionId: v.versionId,
      ...(v.secretString !== undefined ? { secretString: v.secretString } : {}),
      ...(v.secretBinary !== undefined ? { secretBinary: Buffer.from(v.secretBinary, 'base64') } : {}),
      stages: [...v.stages],
      createdDate: new Date(v.createdDate),
    }));
  }

  arnOf(name: string): string {
    return this.seeded(name).arn;
  }

  // ---- HTTP -------------------------------------------------------------------

  /** Answers one request (called by the EmulatorServer). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    const target = headerValue(req.headers['x-amz-target']);
    const action = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : (target ?? '');
    this.calls++;
    this.callsByAction[action] = (this.callsByAction[action] ?? 0) + 1;
    const record: SmRecordedRequest = { action, input: {}, headers: { ...req.headers }, receivedAt: Date.now() };
    this.requests.push(record);

    const fault = this.takeFault();
    const delay = this.delayMs + (fault === 'slow' ? this.slowMs : 0);
    if (delay > 0) await this.http.sleep(delay);
    if (this.http.closed || res.destroyed) return;

    let status = 200;
    let payload: unknown;
    try {
      if (fault && fault !== 'slow') {
        if (fault === 'reset') {
          req.socket.resetAndDestroy();
          return;
        }
        throw faultError(fault);
      }
      if (body === undefined) throw new AwsError('InvalidRequestException', 'Request body too large');
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/') {
        throw new AwsError('UnknownOperationException', 'Only POST / is served', 404);
      }
      if (!headerValue(req.headers['authorization'])) {
        // What AWS sends for an unsigned request; 403 per the AWS "Common Errors" reference.
        throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      if (!target?.startsWith(TARGET_PREFIX)) {
        throw new AwsError('UnknownOperationException', `Unknown operation ${target ?? '(no X-Amz-Target)'}`);
      }
      record.input = parseInput(body);
      payload = this.dispatch(action, record.input);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      status = err.status;
      record.errorType = err.type;
      payload = { __type: err.type, Message: err.message };
    }
    record.status = status;
    if (status === 200 && this.afterAction) await this.afterAction(action, record.input);
    if (this.http.closed || res.destroyed) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'Content-Type': JSON_11,
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(text);
  }

  private dispatch(action: string, input: Input): unknown {
    switch (action) {
      case 'CreateSecret':
        return this.createSecret(input);
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(input);
      case 'DescribeSecret':
        return this.describeSecret(input);
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(input);
      default:
        throw new AwsError('UnknownOperationException', `Operation ${action} is not emulated`);
    }
  }

  // ---- actions ----------------------------------------------------------------

  private createSecret(input: Input): unknown {
    const name = requiredString(input, 'Name');
    const value = secretValue(input);
    const token = optionalToken(input);
    const existing = this.secrets.get(name);
    if (existing) {
      // Same request retried (same token, same value): AWS answers as if it had just created it.
      const prior = token ? existing.versions.get(token) : undefined;
      if (prior && value && sameValue(prior, value)) {
        return { ARN: existing.arn, Name: existing.name, VersionId: prior.versionId };
      }
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const secret = this.createStoredSecret(name, optionalString(input, 'Description'));
    if (!value) return { ARN: secret.arn, Name: secret.name };
    const version = this.addVersion(secret, token ?? randomUUID(), value, [AWSCURRENT]);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId };
  }

  private getSecretValue(input: Input): unknown {
    const secret = this.resolve(input);
    const versionId = optionalString(input, 'VersionId');
    const stage = optionalString(input, 'VersionStage');
    let version: StoredVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (!version) throw notFoundValue('VersionId', versionId);
      if (stage !== undefined && !version.stages.has(stage)) {
        throw new AwsError('InvalidRequestException', `Version ${versionId} does not have the staging label ${stage}.`);
      }
    } else {
      const wanted = stage ?? AWSCURRENT;
      version = holderOf(secret, wanted);
      if (!version) throw notFoundValue('staging label', wanted);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
    };
  }

  private putSecretValue(input: Input): unknown {
    const secret = this.resolve(input);
    const value = secretValue(input);
    if (!value) throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    const token = optionalToken(input) ?? randomUUID();
    const stages = optionalStringArray(input, 'VersionStages') ?? [AWSCURRENT];

    const prior = secret.versions.get(token);
    if (prior) {
      if (!sameValue(prior, value)) {
        throw new AwsError(
          'ResourceExistsException',
          `You can't modify an existing version, you can only create a new version. ClientRequestToken ${token} is already used by a version with a different value.`,
        );
      }
      // Idempotent retry: no label moves, no new version.
      return { ARN: secret.arn, Name: secret.name, VersionId: prior.versionId, VersionStages: [...prior.stages] };
    }
    const version = this.addVersion(secret, token, value, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  private updateSecretVersionStage(input: Input): unknown {
    const secret = this.resolve(input);
    const stage = requiredString(input, 'VersionStage');
    const moveTo = optionalString(input, 'MoveToVersionId');
    const removeFrom = optionalString(input, 'RemoveFromVersionId');
    if (moveTo === undefined && removeFrom === undefined) {
      throw new AwsError('InvalidParameterException', 'You must specify MoveToVersionId or RemoveFromVersionId.');
    }
    const target = moveTo === undefined ? undefined : secret.versions.get(moveTo);
    if (moveTo !== undefined && !target) throw notFoundValue('VersionId', moveTo);
    if (removeFrom !== undefined && !secret.versions.has(removeFrom)) throw notFoundValue('VersionId', removeFrom);

    const holder = holderOf(secret, stage);
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw new AwsError(
        'InvalidParameterException',
        `The staging label ${stage} is not attached to version ${removeFrom}, so it can't be removed from it.`,
      );
    }
    if (target) {
      if (holder && holder !== target && removeFrom === undefined) {
        throw new AwsError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      attachStage(secret, stage, target);
    } else {
      if (stage === AWSCURRENT) {
        throw new AwsError(
          'InvalidParameterException',
          'You can only move the staging label AWSCURRENT to a different secret version; it cannot be removed.',
        );
      }
      holder?.stages.delete(stage);
    }
    secret.lastChangedDate = Date.now();
    return { ARN: secret.arn, Name: secret.name };
  }

  private describeSecret(input: Input): unknown {
    const secret = this.resolve(input);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const v of secret.versions.values()) {
      if (v.stages.size > 0) versionIdsToStages[v.versionId] = [...v.stages];
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== undefined ? { Description: secret.description } : {}),
      RotationEnabled: false,
      CreatedDate: epochSeconds(secret.createdDate),
      LastChangedDate: epochSeconds(secret.lastChangedDate),
      VersionIdsToStages: versionIdsToStages,
    };
  }

  private listSecretVersionIds(input: Input): unknown {
    const secret = this.resolve(input);
    const includeDeprecated = input['IncludeDeprecated'] === true;
    const maxResults = optionalNumber(input, 'MaxResults') ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw new AwsError('InvalidParameterException', 'MaxResults must be between 1 and 100.');
    }
    const nextToken = optionalString(input, 'NextToken');
    const offset = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');

    const all = [...secret.versions.values()].filter((v) => includeDeprecated || v.stages.size > 0);
    const page = all.slice(offset, offset + maxResults);
    const next = offset + maxResults < all.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.map((v) => ({
        VersionId: v.versionId,
        VersionStages: [...v.stages],
        CreatedDate: epochSeconds(v.createdDate),
      })),
      ...(next !== undefined ? { NextToken: next } : {}),
    };
  }

  // ---- model ------------------------------------------------------------------

  private createStoredSecret(name: string, description?: string): StoredSecret {
    if (name.length === 0) throw new AwsError('InvalidParameterException', 'Name must not be empty.');
    const now = Date.now();
    const secret: StoredSecret = {
      name,
      // Real ARNs end in "-" plus six random characters.
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${randomSuffix()}`,
      ...(description !== undefined ? { description } : {}),
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
    };
    this.secrets.set(name, secret);
    return secret;
  }

  private addVersion(
    secret: StoredSecret,
    versionId: string,
    value: { secretString?: string; secretBinary?: string },
    stages: string[],
  ): StoredVersion {
    if (secret.versions.has(versionId)) {
      throw new AwsError('ResourceExistsException', `A version with VersionId ${versionId} already exists.`);
    }
    const version: StoredVersion = { versionId, ...value, createdDate: Date.now(), stages: new Set() };
    secret.versions.set(versionId, version);
    for (const stage of stages) attachStage(secret, stage, version);
    secret.lastChangedDate = version.createdDate;
    return version;
  }

  /** SecretId by name, full ARN, or partial ARN (without the random suffix). */
  private resolve(input: Input): StoredSecret {
    const id = requiredString(input, 'SecretId');
    const byName = this.secrets.get(id);
    if (byName) return byName;
    for (const secret of this.secrets.values()) {
      if (secret.arn === id || secret.arn.slice(0, -7) === id) return secret;
    }
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  private seeded(name: string): StoredSecret {
    const secret = this.secrets.get(name);
    if (!secret) throw new Error(`SecretsManagerEmulator: no secret named ${name}`);
    return secret;
  }

  private takeFault(): SmFaultKind | undefined {
    return this.faultQueue.shift() ?? (this.mode === 'ok' ? undefined : this.mode);
  }

}

// ---- label rules ----------------------------------------------------------------

function holderOf(secret: StoredSecret, stage: string): StoredVersion | undefined {
  for (const v of secret.versions.values()) if (v.stages.has(stage)) return v;
  return undefined;
}

/**
 * Puts `stage` on `target`, taking it off whichever version had it (a label
 * sits on one version at most). Moving AWSCURRENT also moves AWSPREVIOUS to
 * the version that just lost AWSCURRENT.
 */
function attachStage(secret: StoredSecret, stage: string, target: StoredVersion): void {
  const holder = holderOf(secret, stage);
  if (holder === target) return;
  holder?.stages.delete(stage);
  target.stages.add(stage);
  if (stage === AWSCURRENT && holder) attachStage(secret, AWSPREVIOUS, holder);
}

function sameValue(version: StoredVersion, value: { secretString?: string; secretBinary?: string }): boolean {
  return version.secretString === value.secretString && version.secretBinary === value.secretBinary;
}

// ---- input parsing ----------------------------------------------------------------

function parseInput(body: string): Input {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  return parsed as Input;
}

function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('InvalidParameterException', `${key} must be a string.`);
  return value;
}

function requiredString(input: Input, key: string): string {
  const value = optionalString(input, key);
  if (value === undefined || value === '') {
    throw new AwsError('InvalidParameterException', `You must provide a value for the ${key} parameter.`);
  }
  return value;
}

function optionalNumber(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new AwsError('InvalidParameterException', `${key} must be a number.`);
  return value;
}

function optionalStringArray(input: Input, key: string): string[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string')) {
    throw new AwsError('InvalidParameterException', `${key} must be a list of strings.`);
  }
  return value;
}

/** ClientRequestToken becomes the VersionId; AWS requires 32 to 64 characters (the SDK sends a UUID). */
function optionalToken(input: Input): string | undefined {
  const token = optionalString(input, 'ClientRequestToken');
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw new AwsError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters long.');
  }
  return token;
}

function secretValue(input: Input): { secretString?: string; secretBinary?: string } | undefined {
  const secretString = optionalString(input, 'SecretString');
  const secretBinary = optionalString(input, 'SecretBinary');
  if (secretString !== undefined && secretBinary !== undefined) {
    throw new AwsError('InvalidParameterException', 'You can provide SecretString or SecretBinary, but not both.');
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  return undefined;
}

// ---- small helpers ----------------------------------------------------------------

function notFoundValue(kind: 'VersionId' | 'staging label', value: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${kind}: ${value}`);
}

function faultError(kind: Exclude<SmFaultKind, 'slow' | 'reset'>): AwsError {
  switch (kind) {
    case 'unavailable':
      return new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.', 503);
    case 'throttle':
      return new AwsError('ThrottlingException', 'Rate exceeded');
    case 'internal':
      return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error.', 500);
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown fault ${String(unknownKind)}`);
    }
  }
}

/** The JSON protocol's timestamp format: fractional epoch seconds. */
function epochSeconds(ms: number): number {
  return ms / 1000;
}

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

