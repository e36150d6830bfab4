import { DomainError } from '@broker/problems';

/** The credential id is not configured. Whether a caller learns this is the access policy's decision. */
export class UnknownCredentialError extends DomainError {
  constructor(credentialId: string) {
    super('credential_not_found', 404, 'Credential not found', `No credential '${credentialId}' is configured.`);
  }
}
