import type { FastifyRequest } from 'fastify';
import type { AuditEvent } from '@broker/observability';
import type { Caller } from './caller';

const AUTH_OF: Readonly<Record<Caller['kind'], NonNullable<AuditEvent['auth']>>> = { 'api-key': 'api_key', jwt: 'jwt', certificate: 'certificate' };

/**
 * Who made a request, for its audit line: the caller, how it was identified, and the client certificate's
 * fingerprint when the connection presented one (also when that certificate was refused).
 */
export function callerAuditOf(request: FastifyRequest): Pick<AuditEvent, 'callerId' | 'auth' | 'certificateFingerprint'> {
  return callerAudit(request.caller, request.certificateFingerprint);
}

/** The same, from the caller and the certificate's fingerprint themselves (the fast lane has no Fastify request). */
export function callerAudit(caller: Caller | undefined, certificateFingerprint: string | undefined): Pick<AuditEvent, 'callerId' | 'auth' | 'certificateFingerprint'> {
  return {
    ...(caller === undefined ? {} : { callerId: caller.id, auth: AUTH_OF[caller.kind] }),
    ...(certificateFingerprint === undefined ? {} : { certificateFingerprint }),
  };
}
