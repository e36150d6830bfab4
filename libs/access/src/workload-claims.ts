import type { JWTPayload } from 'jose';

/** The claims a workload JWT is identified and judged by, each of the type RFC 7519 gives it. */
export interface WorkloadClaims {
  readonly issuer: string;
  readonly subject: string;
}

/** A claim used for identity or policy that has the wrong type; the caller is refused, never coerced. */
export class ClaimTypeError extends Error {
  constructor(readonly claim: string) {
    super(`the ${claim} claim has the wrong type`);
    this.name = 'ClaimTypeError';
  }
}

const isNumericDate = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/**
 * Checks the type of every claim the broker relies on, after the signature has been verified. `sub` is
 * used as a map key: `["system:serviceaccount:ns:wl"]` or `12345` would otherwise be coerced to a string
 * and match a configured subject (RFC 7519 §4.1.2: `sub` is a StringOrURI).
 */
export function workloadClaims(payload: JWTPayload): WorkloadClaims {
  if (typeof payload.iss !== 'string') throw new ClaimTypeError('iss');
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new ClaimTypeError('sub');
  const { aud } = payload;
  if (!(typeof aud === 'string' || (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string')))) throw new ClaimTypeError('aud');
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (claim in payload && !isNumericDate(payload[claim])) throw new ClaimTypeError(claim);
  }
  return { issuer: payload.iss, subject: payload.sub };
}
