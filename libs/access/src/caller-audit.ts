import type { FastifyRequest } from 'fastify';
import type { AuditEvent } from '@broker/observability';
import type { Caller } from './caller';

const AUTH_OF: Readonly<Record<Caller['kind'], NonNullable<AuditEvent['auth']>>> = { 'api-key': 'api_key', jwt: 'jwt', certificate: 'certificate' };

/**
 * Who made a request, for its audit line: the caller, how it was identified, and the client certificate's
 * fingerprint when the connection presented one (also when that certificate was refused).
 */
export function callerAuditOf(request: FastifyRequest): Pick<AuditEvent, 'callerId' | 'auth' | 'certificateFingerprint'> {
  const caller = request.caller;
  return {
    ...(caller === undefined ? {} : { callerId: caller.id, auth: AUTH_OF[caller.kind] }),
    ...(request.certificateFingerprint === undefined ? {} : { certificateFingerprint: request.certificateFingerprint }),
  };
}
