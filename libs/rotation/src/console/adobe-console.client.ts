import { Injectable } from '@nestjs/common';
import { SecretValue } from '@broker/secrets';
import { type ConsoleResponse, consoleRequest } from './console-http';
import { ROTATION_MESSAGES, ROTATION_TIMINGS } from '../rotation.constants';
import { ConsoleApiError } from '../rotation.errors';

/** One client secret as the I/O Management API lists it (never its value). */
export interface ConsoleSecret {
  readonly uuid: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** The latest `secret_usages[].last_used_at` (epoch ms); undefined when Adobe has seen no use. */
  readonly lastUsedAt?: number;
}

/** The answer to an add: the only time Adobe returns the plaintext. */
export interface AddedSecret extends ConsoleSecret {
  readonly clientSecret: SecretValue;
}

/** Which credential to manage, and how to authenticate the call. */
export interface ConsoleTarget {
  /** Origin of the API, e.g. https://api.adobe.io. */
  readonly consoleUrl: string;
  readonly consoleOrgId: string;
  readonly consoleCredentialId: string;
  /** Sent as `x-api-key`. */
  readonly clientId: string;
  /** A token minted with the credential itself, with the management scopes. */
  readonly accessToken: SecretValue;
}

/** Uuids go into a URL path; Adobe's are 32 hex digits, but accept any plain id of that kind. */
const UUID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
const MILLIS_PATTERN = /^\d{1,16}$/;
const SAFE_ERROR_CODE = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * Adapter for the client-secret endpoints of the Adobe I/O Management API:
 * `{consoleUrl}/console/organizations/{orgId}/credentials/{credentialId}/secrets[/{uuid}]`. Maps every
 * failure to `ConsoleApiError`; never puts a response body (which may hold a secret) into an error.
 */
@Injectable()
export class AdobeConsoleClient {
  /** `GET …/secrets`: the credential's client secrets (at most two). */
  async list(target: ConsoleTarget): Promise<ConsoleSecret[]> {
    const response = await this.send('GET', secretsUrl(target), target);
    if (response.status !== 200) throw rejected(response);
    const body = parseJson(response.body);
    const list = isObject(body) ? body['client_secrets'] : undefined;
    if (!Array.isArray(list)) throw badResponse('no client_secrets list');
    return list.map((entry: unknown) => parseSecret(entry));
  }

  /** `POST …/secrets` (201): a new secret; its plaintext is in the answer and nowhere else. */
  async add(target: ConsoleTarget): Promise<AddedSecret> {
    const response = await this.send('POST', secretsUrl(target), target);
    if (response.status !== 201 && response.status !== 200) throw rejected(response);
    const body = parseJson(response.body);
    const clientSecret = isObject(body) ? body['client_secret'] : undefined;
    if (typeof clientSecret !== 'string' || clientSecret.length === 0) throw badResponse('no client_secret in the answer');
    return { ...parseSecret(body), clientSecret: new SecretValue(clientSecret) };
  }

  /** `DELETE …/secrets/{uuid}` (204); `absent` when Adobe no longer has it (a retried delete). */
  async delete(target: ConsoleTarget, uuid: string): Promise<'deleted' | 'absent'> {
    if (!UUID_PATTERN.test(uuid)) throw badResponse('a secret uuid of an unexpected form');
    const response = await this.send('DELETE', `${secretsUrl(target)}/${encodeURIComponent(uuid)}`, target);
    if (response.status === 204 || response.status === 200) return 'deleted';
    if (response.status === 404) return 'absent';
    throw rejected(response);
  }

  private send(method: 'GET' | 'POST' | 'DELETE', url: string, target: ConsoleTarget): Promise<ConsoleResponse> {
    return consoleRequest(method, url, { authorization: `Bearer ${target.accessToken.reveal()}`, 'x-api-key': target.clientId }, ROTATION_TIMINGS.consoleTimeoutMs);
  }
}

function secretsUrl(target: ConsoleTarget): string {
  const org = encodeURIComponent(target.consoleOrgId);
  const credential = encodeURIComponent(target.consoleCredentialId);
  return `${target.consoleUrl}/console/organizations/${org}/credentials/${credential}/secrets`;
}

function parseSecret(entry: unknown): ConsoleSecret {
  if (!isObject(entry)) throw badResponse('a client secret entry is not an object');
  const uuid = entry['uuid'];
  if (typeof uuid !== 'string' || !UUID_PATTERN.test(uuid)) throw badResponse('a client secret without a valid uuid');
  const createdAt = millis(entry['created_at']);
  if (createdAt === undefined) throw badResponse('a client secret without created_at');
  const usages = entry['secret_usages'];
  let lastUsedAt: number | undefined;
  if (Array.isArray(usages)) {
    for (const usage of usages) {
      const at = isObject(usage) ? millis(usage['last_used_at']) : undefined;
      if (at !== undefined && (lastUsedAt === undefined || at > lastUsedAt)) lastUsedAt = at;
    }
  } else if (usages !== null && usages !== undefined) {
    throw badResponse('secret_usages is neither null nor a list');
  }
  return { uuid, createdAt, ...(lastUsedAt === undefined ? {} : { lastUsedAt }) };
}

/** Adobe sends epoch milliseconds as strings; accept numbers too. */
function millis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && MILLIS_PATTERN.test(value)) return Number(value);
  return undefined;
}

function rejected(response: ConsoleResponse): ConsoleApiError {
  if (response.status >= 500 || response.status === 429) {
    return new ConsoleApiError('console_unavailable', ROTATION_MESSAGES.consoleUnavailable(`HTTP ${response.status}`), response.status);
  }
  const body = parseJson(response.body);
  const raw = isObject(body) ? (body['error_code'] ?? body['code'] ?? body['error']) : undefined;
  const code = typeof raw === 'string' && SAFE_ERROR_CODE.test(raw) ? raw : typeof raw === 'number' ? String(raw) : undefined;
  return new ConsoleApiError('console_rejected', ROTATION_MESSAGES.consoleRejected(response.status, code), response.status);
}

function badResponse(reason: string): ConsoleApiError {
  return new ConsoleApiError('console_bad_response', ROTATION_MESSAGES.consoleBadResponse(reason));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
