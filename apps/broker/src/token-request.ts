import { InvalidRequestError } from '@broker/problems';

/** Credential ids follow the config rule; anything else is rejected before it reaches a lookup. */
const CREDENTIAL_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_TTL_PATTERN = /^\d{1,6}$/;
/** No token outlives a day by much; asking for longer is a caller bug worth a clear 400. */
export const MAX_MIN_TTL_SECONDS = 86_400;

/** The validated path id of a token request. */
export function parseCredentialId(raw: string): string {
  if (!CREDENTIAL_ID_PATTERN.test(raw)) {
    throw new InvalidRequestError('The credential id must be 1-64 characters of A-Z a-z 0-9 . _ -', 'invalid_credential_id');
  }
  return raw;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The body of `POST /v1/tokens/{id}/rejections`: exactly `{"token_sha256": "<lower-case hex>"}`. */
export function parseRejectionReport(body: unknown): string {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : undefined;
  const value = fields?.length === 1 && fields[0] === 'token_sha256' ? (body as { token_sha256: unknown }).token_sha256 : undefined;
  if (typeof value !== 'string' || !SHA256_HEX.test(value.toLowerCase())) {
    throw new InvalidRequestError('The body must be {"token_sha256": "<hex SHA-256 of the rejected access token>"} and nothing else.', 'invalid_body');
  }
  return value.toLowerCase();
}

/** `?min_ttl=<seconds>` (the only query parameter accepted); `fallback` when absent. */
export function parseMinTtl(query: Record<string, unknown>, fallback: number): number {
  for (const key of Object.keys(query)) {
    if (key !== 'min_ttl') throw new InvalidRequestError(`Unknown query parameter '${key.slice(0, 64)}'; only min_ttl is accepted.`, 'invalid_parameter');
  }
  const raw = query.min_ttl;
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !MIN_TTL_PATTERN.test(raw) || Number(raw) > MAX_MIN_TTL_SECONDS) {
    throw new InvalidRequestError(`min_ttl must be a whole number of seconds from 0 to ${MAX_MIN_TTL_SECONDS}.`, 'invalid_parameter');
  }
  return Number(raw);
}
