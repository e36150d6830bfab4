import type { RateLimit } from '@broker/config';
import type { CredentialGrants } from './credential-grants';

/** An authenticated caller of the broker, the same whichever way it proved who it is. */
export interface Caller {
  readonly id: string;
  /** How it authenticated: an API key, a workload JWT from a trusted issuer, or a client certificate. */
  readonly kind: 'api-key' | 'jwt' | 'certificate';
  /** Credential ids and patterns this caller may fetch, as configured; `*` grants all. */
  readonly credentials: readonly string[];
  /** `credentials`, compiled. */
  readonly grants: CredentialGrants;
  /** `admin` opens the /admin endpoints. */
  readonly roles: readonly string[];
  /** Its token bucket (its own `rateLimit`, else `rateLimits.default`); absent means not limited. */
  readonly rateLimit?: RateLimit;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `CallerGuard` once the caller is authenticated. */
    caller?: Caller;
    /** SHA-256 (hex) of the connection's client certificate, when one was presented; set by `CallerGuard`. */
    certificateFingerprint?: string;
  }
}
