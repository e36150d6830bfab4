import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { SecretRef } from '@broker/config';
import { SecretSourceError } from './secret.errors';
import { type RawSecret, SecretSource } from './secret-source.port';

/** AWS errors that retrying will not fix: the secret or the broker's permissions are wrong. */
const PERMANENT_AWS_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
  'UnrecognizedClientException',
]);

/**
 * Reads secrets from AWS Secrets Manager. Region, credentials and endpoint come from the SDK's standard
 * chain (`AWS_REGION`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`, IRSA, …). The SDK retries throttling and
 * network errors itself (3 attempts); timeouts keep a hung endpoint from blocking a refresh.
 */
@Injectable()
export class AwsSecretsManagerSource extends SecretSource implements OnModuleDestroy {
  readonly kind = 'aws' as const;
  private client: SecretsManagerClient | undefined;

  async fetch(ref: SecretRef): Promise<RawSecret> {
    if (ref.source !== 'aws') throw new SecretSourceError(`wrong source ${ref.source}`, true);
    let output;
    try {
      output = await this.sdk().send(
        new GetSecretValueCommand({ SecretId: ref.secretId, VersionStage: ref.versionStage }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : 'UnknownError';
      throw new SecretSourceError(
        `Secrets Manager GetSecretValue for ${ref.secretId} failed (${name})`,
        PERMANENT_AWS_ERRORS.has(name),
      );
    }
    const value = output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary).toString('utf8') : undefined);
    if (value === undefined) throw new SecretSourceError(`secret ${ref.secretId} has no value`, true);
    return { value, ...(output.VersionId === undefined ? {} : { version: output.VersionId }) };
  }

  onModuleDestroy(): void {
    this.client?.destroy();
  }

  /** Created on first use so that a broker without `aws` secrets never needs an AWS region. */
  private sdk(): SecretsManagerClient {
    this.client ??= new SecretsManagerClient({
      // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes and keeps waiting.
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    });
    return this.client;
  }
}
