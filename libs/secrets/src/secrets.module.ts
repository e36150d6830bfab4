import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AwsSecretsManagerClient } from './aws-secrets-manager.client';
import { AwsSecretsManagerSource } from './aws.secret-source';
import { AwsSecretVersionStore } from './aws.secret-version-store';
import { EnvSecretSource } from './env.secret-source';
import { FileSecretSource } from './file.secret-source';
import { SecretVersionStore } from './secret-version-store.port';
import { SecretsBootCheck } from './secrets.boot-check';
import { SecretsHealthIndicator } from './secrets.health';
import { SecretsService } from './secrets.service';

/**
 * Client secrets: the sources, the caching resolver, and the version store rotation writes to (Secrets
 * Manager, sharing one SDK client with the aws source), and the boot check of every credential's secret.
 * Depends on the global ConfigModule.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    AwsSecretsManagerClient,
    AwsSecretsManagerSource,
    FileSecretSource,
    EnvSecretSource,
    SecretsService,
    SecretsHealthIndicator,
    SecretsBootCheck,
    { provide: SecretVersionStore, useClass: AwsSecretVersionStore },
  ],
  exports: [SecretsService, SecretsHealthIndicator, SecretVersionStore],
})
export class SecretsModule {}
