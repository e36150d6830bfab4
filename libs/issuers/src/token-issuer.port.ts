import type { CredentialConfig } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import type { IssuedToken } from './issued-token';

/** Options of one mint attempt. */
export interface IssueOptions {
  readonly timeoutMs: number;
}

/**
 * Port: one identity provider protocol. An adapter makes exactly one attempt (no retries: that is policy)
 * and maps every failure to `UpstreamRejectedError`, `UpstreamBadResponseError` or `UpstreamUnavailableError`.
 */
export abstract class TokenIssuer {
  abstract issue(credential: CredentialConfig, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken>;
}
