import { createHash } from 'node:crypto';
import type { Logger } from 'pino';

/** One audit event: who did what to which credential, and how it ended. Never a token or a secret. */
export interface AuditEvent {
  /** e.g. `token.issue`, `access.denied`, `admin.refresh`, `rotation.promote`. */
  readonly action: string;
  readonly outcome: 'success' | 'denied' | 'failure';
  readonly callerId?: string;
  /** How the caller was identified. */
  readonly auth?: 'api_key' | 'jwt' | 'certificate';
  /** SHA-256 (hex) of the client certificate the connection presented; never the certificate. */
  readonly certificateFingerprint?: string;
  readonly credentialId?: string;
  /** `fingerprintOf(token)`: lets an incident be traced to an issuance without storing the token. */
  readonly tokenFingerprint?: string;
  readonly status?: number;
  /** A stable reason code (`forbidden`, `rate_limited`, …), never free text from a request. */
  readonly reason?: string;
  /** Extra fields specific to the action (rotation id, step, …). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** The first 12 hex characters of a token's SHA-256: enough to correlate, useless to an attacker. */
export function fingerprintOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/**
 * The audit trail: one JSON line per event on its own logger (its own stream when `AUDIT_LOG` names one),
 * tagged `log_type: "audit"` so it can be routed and shipped apart from the service logs.
 */
export class AuditLog {
  constructor(private readonly logger: Logger) {}

  /** Writes one audit event; the time and the request id are added by the logger. */
  record(event: AuditEvent): void {
    this.logger.info(
      {
        action: event.action,
        outcome: event.outcome,
        ...(event.callerId === undefined ? {} : { caller_id: event.callerId }),
        ...(event.auth === undefined ? {} : { auth: event.auth }),
        ...(event.certificateFingerprint === undefined ? {} : { certificate_fingerprint: event.certificateFingerprint }),
        ...(event.credentialId === undefined ? {} : { credential_id: event.credentialId }),
        ...(event.tokenFingerprint === undefined ? {} : { token_fingerprint: event.tokenFingerprint }),
        ...(event.status === undefined ? {} : { status: event.status }),
        ...(event.reason === undefined ? {} : { reason: event.reason }),
        ...(event.details === undefined ? {} : { details: event.details }),
      },
      'audit',
    );
  }
}
