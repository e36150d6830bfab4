import type { CredentialConfig } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import type { IssuedToken } from './issued-token';

/** Options of one mint attempt. */
export interface IssueOptions {
  readonly timeoutMs: number;
}

/**
 * Port: one identity provider protocol, for the credentials of its `provider`. An adapter makes exactly one
 * attempt (no retries: that is policy) and maps every failure to `UpstreamRejectedError`,
 * `UpstreamBadResponseError`, `UpstreamUnavailableError`, or `CredentialMaterialError` when the secret does
 * not hold what the protocol needs.
 */
export abstract class TokenIssuer<C extends CredentialConfig = CredentialConfig> {
  abstract issue(credential: C, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken>;
}
