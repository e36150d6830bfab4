import { DomainError } from '@broker/problems';

/**
 * The credential's secret lacks what its provider needs (a client secret, a private key), or its key does
 * not parse or cannot sign. Our configuration, not the identity provider, is at fault; not retried. The
 * reason names the missing or broken field, never its content.
 */
export class CredentialMaterialError extends DomainError {
  constructor(
    readonly credentialId: string,
    reason: string,
  ) {
    super('credential_material_invalid', 502, 'Credential material invalid', `The secret of credential '${credentialId}' ${reason}.`);
  }
}
