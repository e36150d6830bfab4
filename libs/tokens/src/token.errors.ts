import { DomainError } from '@broker/problems';

/** The credential id is not configured. Whether a caller learns this is the access policy's decision. */
export class UnknownCredentialError extends DomainError {
  constructor(credentialId: string) {
    super('credential_not_found', 404, 'Credential not found', `No credential '${credentialId}' is configured.`);
  }
}

/**
 * The refresh lock was lost before an upstream call could start (its holder lagged past the lock's ttl).
 * Not a failure of the credential: the refresh goes back to waiting for whoever holds the lock now.
 */
export class RefreshLockLostError extends Error {
  constructor(credentialId: string) {
    super(`the refresh lock of '${credentialId}' was lost before the upstream call`);
    this.name = 'RefreshLockLostError';
  }
}
