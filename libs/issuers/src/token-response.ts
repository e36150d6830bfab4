import { type IssuedToken, MAX_TOKEN_LIFETIME_SECONDS, MIN_TOKEN_LIFETIME_SECONDS } from './issued-token';
import { retryAfterMs, type UpstreamResponse } from './bounded-http';
import { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from './upstream.errors';

/**
 * Turns an OAuth token endpoint's answer into an `IssuedToken` or a typed error. `lifetimeUnit` is the
 * provider's unit for `expires_in` (seconds per RFC 6749; Adobe's JWT exchange uses milliseconds).
 */
export function parseTokenResponse(response: UpstreamResponse, sentAt: number, lifetimeUnit: 'seconds' | 'milliseconds' = 'seconds'): IssuedToken {
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
  const rawLifetime = typeof json.expires_in === 'string' && /^\d+$/.test(json.expires_in) ? Number(json.expires_in) : json.expires_in;
  if (typeof rawLifetime !== 'number' || !Number.isFinite(rawLifetime)) {
    throw new UpstreamBadResponseError('The token response has no numeric expires_in.');
  }
  const seconds = lifetimeUnit === 'milliseconds' ? rawLifetime / 1000 : rawLifetime;
  if (seconds < MIN_TOKEN_LIFETIME_SECONDS || seconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new UpstreamBadResponseError(
      `The token response's expires_in (${rawLifetime} ${lifetimeUnit}) is outside the accepted range of ${MIN_TOKEN_LIFETIME_SECONDS}s to ${MAX_TOKEN_LIFETIME_SECONDS}s.`,
    );
  }
  return { accessToken, tokenType: 'bearer', issuedAt: sentAt, expiresAt: sentAt + Math.floor(seconds * 1000) };
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
