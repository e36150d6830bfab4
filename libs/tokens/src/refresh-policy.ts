import type { TokenPolicy } from '@broker/config';
import type { StoredToken } from '@broker/token-store';

/** A token with less than this left is treated as expired: it could lapse before the caller uses it. */
export const EXPIRY_MARGIN_MS = 5_000;

/** Whether a token may be served at all at `now`. */
export function isServable(token: StoredToken, now: number): boolean {
  return token.expiresAt - now >= EXPIRY_MARGIN_MS;
}

/** Whether a token satisfies a caller's `min_ttl` (seconds). */
export function satisfies(token: StoredToken, minTtlSeconds: number, now: number): boolean {
  return isServable(token, now) && token.expiresAt - now >= minTtlSeconds * 1000;
}

/**
 * Whether minting a new token could satisfy `min_ttl` where the held one does not. It cannot when tokens of
 * this credential do not live that long, or when the held token is younger than `minRefreshInterval` (a
 * caller asking for more than the provider gives must not make the broker mint on every request).
 */
export function refreshCanHelp(token: StoredToken, minTtlSeconds: number, now: number, policy: TokenPolicy): boolean {
  const lifetime = token.expiresAt - token.issuedAt;
  return lifetime >= minTtlSeconds * 1000 && now - token.issuedAt >= policy.minRefreshIntervalMs;
}

/**
 * When the background refresh of `token` is due: after `refreshAt` of its lifetime, moved by up to
 * ±`refreshJitter` of the lifetime so a fleet started together does not refresh in lockstep.
 */
export function refreshDueAt(token: StoredToken, policy: TokenPolicy, random = Math.random): number {
  const lifetime = token.expiresAt - token.issuedAt;
  const fraction = Math.min(0.95, Math.max(0.05, policy.refreshAt + (random() * 2 - 1) * policy.refreshJitter));
  return token.issuedAt + Math.round(lifetime * fraction);
}
