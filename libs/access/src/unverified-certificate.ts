import type { FastifyRequest } from 'fastify';
import { ACCESS_MESSAGES } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import { presentedCertificateOf } from './presented-certificate';

/**
 * Under TLS_CLIENT_AUTH=optional the handshake lets an unverifiable certificate through (so that callers
 * without one still connect); such a connection is then refused on every route, public ones included.
 * Returns the error to answer with, having noted the certificate's fingerprint for the audit line.
 */
export function unverifiedCertificateRefusal(request: FastifyRequest): UnauthenticatedError | undefined {
  const certificate = presentedCertificateOf(request.raw.socket);
  if (certificate === undefined || certificate.verified) return undefined;
  request.certificateFingerprint = certificate.fingerprint;
  return new UnauthenticatedError(ACCESS_MESSAGES.untrustedCertificate, false);
}
