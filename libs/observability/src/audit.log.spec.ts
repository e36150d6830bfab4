import pino from 'pino';
import { type AuditEvent, AuditLog } from './audit.log';
import { runWithRequestId } from './request-context';

/** Collects what is written, line by line. */
function capture(): { lines: string[]; write(chunk: string): void } {
  const lines: string[] = [];
  return { lines, write: (chunk) => lines.push(...chunk.split('\n').filter(Boolean)) };
}

/** The line pino wrote for the same event with the options the audit logger had before it wrote its own. */
function pinoLine(event: AuditEvent, requestId: string | undefined): string {
  const out = capture();
  const logger = pino(
    {
      level: 'info',
      base: { service: 'token-broker', log_type: 'audit' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => (requestId === undefined ? {} : { request_id: requestId }),
    },
    out,
  );
  logger.info(
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
  return out.lines[0] as string;
}

const withoutTime = (line: string): string => line.replace(/"time":"[^"]+"/, '"time":"T"');

const EVENTS: readonly AuditEvent[] = [
  { action: 'token.issue', outcome: 'success', callerId: 'svc', auth: 'api_key', credentialId: 'aep-prod', tokenFingerprint: '0123456789ab' },
  { action: 'access.denied', outcome: 'denied', status: 429, reason: 'rate_limited', callerId: 'svc', auth: 'certificate', certificateFingerprint: 'ab'.repeat(32) },
  { action: 'rotation.promote', outcome: 'failure', credentialId: 'c1', details: { rotation_id: 'r-1', step: 3, forced: true } },
  { action: 'token.issue', outcome: 'success', callerId: 'odd "caller"\n{"forged":true}', auth: 'jwt', credentialId: 'c2', tokenFingerprint: 'ffffffffffff' },
];

describe('AuditLog', () => {
  it.each(EVENTS.map((event) => [event.action, event] as const))('writes %s exactly as pino wrote it, byte for byte but the time', (_action, event) => {
    for (const requestId of [undefined, 'req-42']) {
      const out = capture();
      const audit = new AuditLog(out);
      if (requestId === undefined) audit.record(event);
      else runWithRequestId(requestId, () => audit.record(event));
      expect(out.lines).toHaveLength(1);
      expect(withoutTime(out.lines[0] as string)).toBe(withoutTime(pinoLine(event, requestId)));
    }
  });

  it('writes one line per event, with an ISO time, and a caller id cannot forge fields or lines', () => {
    const out = capture();
    new AuditLog(out).record(EVENTS[3] as AuditEvent);
    expect(out.lines).toHaveLength(1);
    const parsed = JSON.parse(out.lines[0] as string) as Record<string, unknown>;
    expect(parsed['caller_id']).toBe('odd "caller"\n{"forged":true}');
    expect(parsed['forged']).toBeUndefined();
    expect(new Date(parsed['time'] as string).toISOString()).toBe(parsed['time']);
  });
});
