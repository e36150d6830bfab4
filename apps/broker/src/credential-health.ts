import { UpstreamRejectedError } from '@broker/issuers';
import type { CredentialHealth } from '@broker/observability';
import type { DomainError } from '@broker/problems';

/** Upstream errors that are not the provider refusing the credential (it answered badly, or not at all). */
const NOT_A_REJECTION = new Set(['upstream_bad_response', 'upstream_unavailable']);

/**
 * Whether a refresh failure is the identity provider rejecting the credential. A failure shared by another
 * instance (through the token store) comes back as a plain DomainError, hence the code check besides the class.
 */
export function isRejection(error: DomainError): boolean {
  if (error instanceof UpstreamRejectedError) return true;
  return error.status === 502 && error.code.startsWith('upstream_') && !NOT_A_REJECTION.has(error.code);
}

/** The refresh side of a credential's health, from what the token service knows of it. */
export function refreshHealth(known: { readonly failure?: { readonly consecutive: number; readonly error: DomainError } }): CredentialHealth {
  return { refreshFailures: known.failure?.consecutive ?? 0, rejected: known.failure !== undefined && isRejection(known.failure.error) };
}
