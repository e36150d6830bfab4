import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AwsSecretsManagerSource } from './aws.secret-source';
import { EnvSecretSource } from './env.secret-source';
import { FileSecretSource } from './file.secret-source';
import { SecretsHealthIndicator } from './secrets.health';
import { SecretsService } from './secrets.service';

/** Client secrets: the sources and the caching resolver. Depends on the global ConfigModule. */
@Module({
  imports: [TerminusModule],
  providers: [AwsSecretsManagerSource, FileSecretSource, EnvSecretSource, SecretsService, SecretsHealthIndicator],
  exports: [SecretsService, SecretsHealthIndicator],
})
export class SecretsModule {}
