/** A token as minted by an identity provider, normalised: absolute times in epoch milliseconds. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  /** When the broker sent the request that minted it (the conservative start of its lifetime). */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Sanity bounds for every provider: a unit mix-up (ms vs s) must never yield a token "valid for years". */
export const MIN_TOKEN_LIFETIME_SECONDS = 30;
export const MAX_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600;
