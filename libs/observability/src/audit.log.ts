import { createHash } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { currentRequestId } from './request-context';

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
  /** The request's id when the event is recorded outside its async context (the fast lane); else taken from it. */
  readonly requestId?: string;
  /** Extra fields specific to the action (rotation id, step, …). */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** The first 12 hex characters of a token's SHA-256: enough to correlate, useless to an attacker. */
export function fingerprintOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/**
 * `new Date().toISOString()`, formatted once per millisecond: a busy broker writes many audit lines in the
 * same millisecond, and formatting the date was a third of the cost of writing one.
 */
let formattedAt = Number.NaN;
let formatted = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== formattedAt) {
    formatted = new Date(now).toISOString();
    formattedAt = now;
  }
  return formatted;
}

/** JSON-quotes a string value (ids and codes are plain, but a caller id comes from config and may not be). */
const quote = JSON.stringify;

/**
 * The audit trail: one JSON line per event, tagged `log_type: "audit"` so it can be routed and shipped apart
 * from the service logs, written to its own destination (AUDIT_LOG's file, or the service log's stream) at
 * info whatever LOG_LEVEL says. The lines are written here rather than by pino: their fields are fixed and
 * never hold a secret (no redaction to apply), and pino's generic serialisation was the largest cost of a
 * cache hit after the socket write (docs/benchmarks.md §1). They keep pino's shape — `level`, `time` (ISO),
 * `service`, `log_type`, `request_id` of the current request, the event's fields, `msg` — so the service log
 * and the audit trail read alike.
 */
export class AuditLog {
  constructor(private readonly destination: DestinationStream) {}

  /** Writes one audit event; the time and the request id are added here. */
  record(event: AuditEvent): void {
    const requestId = event.requestId ?? currentRequestId();
    let line = `{"level":"info","time":"${isoNow()}","service":"token-broker","log_type":"audit"`;
    if (requestId !== undefined) line += `,"request_id":${quote(requestId)}`;
    line += `,"action":${quote(event.action)},"outcome":"${event.outcome}"`;
    if (event.callerId !== undefined) line += `,"caller_id":${quote(event.callerId)}`;
    if (event.auth !== undefined) line += `,"auth":"${event.auth}"`;
    if (event.certificateFingerprint !== undefined) line += `,"certificate_fingerprint":${quote(event.certificateFingerprint)}`;
    if (event.credentialId !== undefined) line += `,"credential_id":${quote(event.credentialId)}`;
    if (event.tokenFingerprint !== undefined) line += `,"token_fingerprint":${quote(event.tokenFingerprint)}`;
    if (event.status !== undefined) line += `,"status":${event.status}`;
    if (event.reason !== undefined) line += `,"reason":${quote(event.reason)}`;
    if (event.details !== undefined) line += `,"details":${JSON.stringify(event.details)}`;
    this.destination.write(`${line},"msg":"audit"}\n`);
  }
}
