import { Injectable } from '@nestjs/common';
import { type AdobeImsCredential, ConfigService } from '@broker/config';
import { TokenIssuers, UpstreamUnavailableError } from '@broker/issuers';
import { DomainError } from '@broker/problems';
import { type SecretMaterial, SecretValue } from '@broker/secrets';
import { MANAGEMENT_SCOPES, ROTATION_MESSAGES, ROTATION_TIMINGS } from '../rotation.constants';
import { RotationStepError } from '../rotation.errors';

interface CachedToken {
  readonly token: SecretValue;
  readonly renewAt: number;
}

/**
 * Tokens for the I/O Management API, minted with the credential itself (client_credentials with the
 * management scopes), separately from the token the broker serves. Cached per credential and secret
 * version, so waiting to retire an old secret does not mint a token every check, and a token minted with
 * the old secret is never used once the new one is current.
 */
@Injectable()
export class ManagementTokens {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly issuers: TokenIssuers,
    private readonly config: ConfigService,
  ) {}

  /** A management token minted with `material` (the secret of version `versionId`). */
  async get(credential: AdobeImsCredential, versionId: string, material: SecretMaterial): Promise<SecretValue> {
    const key = `${credential.id}\u0000${versionId}`;
    const cached = this.cache.get(key);
    if (cached && cached.renewAt > Date.now()) return cached.token;
    const managementCredential: AdobeImsCredential = { ...credential, scopes: MANAGEMENT_SCOPES };
    const timeoutMs = this.config.current.tokens.upstreamTimeoutMs;
    let issued;
    try {
      issued = await this.issuers.issue(managementCredential, material, { timeoutMs }).catch(async (error: unknown) => {
        // One retry for a transient failure; rotation steps are retried by the scheduler anyway.
        if (!(error instanceof UpstreamUnavailableError)) throw error;
        return this.issuers.issue(managementCredential, material, { timeoutMs });
      });
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'internal_error';
      throw new RotationStepError('management_token_failed', 502, ROTATION_MESSAGES.managementToken(code), error instanceof UpstreamUnavailableError, {
        cause: error,
      });
    }
    for (const [other] of this.cache) if (other.startsWith(`${credential.id}\u0000`)) this.cache.delete(other);
    const token = new SecretValue(issued.accessToken);
    this.cache.set(key, { token, renewAt: issued.expiresAt - ROTATION_TIMINGS.managementTokenMarginMs });
    return token;
  }
}
