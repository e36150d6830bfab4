import { TokenBrokerError } from './errors';

/** A token as `getToken` returns it. */
export interface BrokerToken {
  readonly accessToken: string;
  /** `bearer` for every provider the broker serves today. */
  readonly tokenType: string;
  /** When the token expires, by this machine's clock (measured from when the request was sent). */
  readonly expiresAt: Date;
  /** Whole seconds of validity left at the moment it was returned. */
  readonly expiresIn: number;
}

/** The client's record of a token: epoch milliseconds, so a cache hit compares numbers. */
export interface HeldToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAtMs: number;
}

/**
 * Reads the broker's token response. The expiry is dated from when the request was *sent*, plus the
 * broker's `expires_in` (whole seconds left when it answered): earlier than the truth by the round trip and
 * a fraction of a second, never later, and immune to a skew between the broker's clock and ours.
 */
export function heldTokenOf(body: unknown, sentAt: number, credentialId: string): HeldToken {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const accessToken = b['access_token'];
  const tokenType = b['token_type'];
  const expiresIn = b['expires_in'];
  if (typeof accessToken !== 'string' || accessToken.length === 0 || typeof tokenType !== 'string' || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
    throw new TokenBrokerError(`token broker answered for ${credentialId} without a valid token (access_token, token_type, expires_in)`, {
      status: 200,
      code: 'invalid_response',
      detail: 'the answer is not a token response',
      credentialId,
    });
  }
  return { accessToken, tokenType, expiresAtMs: sentAt + expiresIn * 1000 };
}

/** The public view of a held token, with `expiresIn` counted now. */
export function viewOf(token: HeldToken, now: number): BrokerToken {
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresAt: new Date(token.expiresAtMs),
    expiresIn: Math.max(0, Math.floor((token.expiresAtMs - now) / 1000)),
  };
}
