import { type IssuedToken, MAX_TOKEN_LIFETIME_SECONDS, MIN_TOKEN_LIFETIME_SECONDS } from './issued-token';
import { retryAfterMs, type UpstreamResponse } from './bounded-http';
import { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from './upstream.errors';

const RANGE = `${MIN_TOKEN_LIFETIME_SECONDS}s to ${MAX_TOKEN_LIFETIME_SECONDS}s`;

/** Lifetime in seconds of a token whose response has no `expires_in`, or undefined when it cannot be told. */
export type LifetimeWhenAbsent = (accessToken: string) => number | undefined;

/**
 * Turns an OAuth token endpoint's answer into an `IssuedToken` or a typed error. `lifetimeUnit` is the
 * provider's unit for `expires_in` (seconds per RFC 6749; Adobe's JWT exchange uses milliseconds).
 * `lifetimeWhenAbsent` is asked only when `expires_in` is missing (RFC 6749 makes it optional); whatever the
 * source, the lifetime must lie within the sanity bounds.
 */
export function parseTokenResponse(
  response: UpstreamResponse,
  sentAt: number,
  lifetimeUnit: 'seconds' | 'milliseconds' = 'seconds',
  lifetimeWhenAbsent?: LifetimeWhenAbsent,
): IssuedToken {
  if (response.status === 429 || response.status >= 500) {
    throw new UpstreamUnavailableError(
      `The identity provider answered ${response.status}.`,
      response.status === 429 ? retryAfterMs(response.headers.get('retry-after')) : undefined,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    throw new UpstreamBadResponseError(`The identity provider answered with a redirect (${response.status}); redirects are not followed.`);
  }
  const json = parseJsonObject(response.body);
  if (response.status >= 400) {
    const code = typeof json?.error === 'string' ? json.error : `http_${response.status}`;
    // Every 4xx but 429 (handled above) is terminal: the same request cannot succeed by retrying it.
    throw new UpstreamRejectedError(code, response.status);
  }
  if (response.status !== 200 || json === undefined) {
    throw new UpstreamBadResponseError(`The identity provider answered ${response.status} without a JSON object.`);
  }
  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0 || accessToken.length > 16 * 1024) {
    throw new UpstreamBadResponseError('The token response has no usable access_token.');
  }
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') {
    throw new UpstreamBadResponseError('The token response is not a bearer token.');
  }
  const seconds =
    json.expires_in === undefined && lifetimeWhenAbsent
      ? inferredLifetime(lifetimeWhenAbsent(accessToken))
      : declaredLifetime(json.expires_in, lifetimeUnit);
  return { accessToken, tokenType: 'bearer', issuedAt: sentAt, expiresAt: sentAt + Math.floor(seconds * 1000) };
}

function declaredLifetime(expiresIn: unknown, unit: 'seconds' | 'milliseconds'): number {
  const raw = typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new UpstreamBadResponseError('The token response has no numeric expires_in.');
  }
  const seconds = unit === 'milliseconds' ? raw / 1000 : raw;
  if (!withinBounds(seconds)) {
    throw new UpstreamBadResponseError(`The token response's expires_in (${raw} ${unit}) is outside the accepted range of ${RANGE}.`);
  }
  return seconds;
}

function inferredLifetime(seconds: number | undefined): number {
  if (seconds === undefined) {
    throw new UpstreamBadResponseError(
      'The token response has no expires_in, and the token is not a JWT with exp; configure defaultLifetime for this credential.',
    );
  }
  if (!withinBounds(seconds)) {
    throw new UpstreamBadResponseError(`The token's lifetime without expires_in (${Math.floor(seconds)} seconds) is outside the accepted range of ${RANGE}.`);
  }
  return seconds;
}

function withinBounds(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= MIN_TOKEN_LIFETIME_SECONDS && seconds <= MAX_TOKEN_LIFETIME_SECONDS;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
