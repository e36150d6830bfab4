import { Injectable } from '@nestjs/common';
import type { SecretRef } from '@broker/config';
import { AwsSecretsManagerClient, awsErrorCause, awsErrorName, PERMANENT_AWS_ERRORS } from './aws-secrets-manager.client';
import { SecretSourceError } from './secret.errors';
import { type RawSecret, SecretSource } from './secret-source.port';

/** Reads secrets from AWS Secrets Manager through the shared client (see AwsSecretsManagerClient). */
@Injectable()
export class AwsSecretsManagerSource extends SecretSource {
  readonly kind = 'aws' as const;

  constructor(private readonly client: AwsSecretsManagerClient) {
    super();
  }

  async fetch(ref: SecretRef): Promise<RawSecret> {
    if (ref.source !== 'aws') throw new SecretSourceError(`wrong source ${ref.source}`, true);
    let output;
    try {
      const { client, commands } = await this.client.sdk();
      output = await client.send(new commands.GetSecretValueCommand({ SecretId: ref.secretId, VersionStage: ref.versionStage }));
    } catch (error) {
      const name = awsErrorName(error);
      // The SDK's own cause, not just the class name: `Error` alone tells an operator nothing.
      throw new SecretSourceError(`Secrets Manager GetSecretValue for ${ref.secretId} failed: ${awsErrorCause(error)}`, PERMANENT_AWS_ERRORS.has(name), { cause: error });
    }
    const value = output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary).toString('utf8') : undefined);
    if (value === undefined) throw new SecretSourceError(`secret ${ref.secretId} has no value`, true);
    return { value, ...(output.VersionId === undefined ? {} : { version: output.VersionId }) };
  }
}
