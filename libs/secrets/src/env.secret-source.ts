import { Injectable } from '@nestjs/common';
import { ProcessEnvironment, type SecretRef } from '@broker/config';
import { SecretSourceError } from './secret.errors';
import { type RawSecret, SecretSource } from './secret-source.port';

/** Reads a secret from an environment variable (local use; the value lives in the process's environment). */
@Injectable()
export class EnvSecretSource extends SecretSource {
  readonly kind = 'env' as const;

  constructor(private readonly environment: ProcessEnvironment) {
    super();
  }

  async fetch(ref: SecretRef): Promise<RawSecret> {
    if (ref.source !== 'env') throw new SecretSourceError(`wrong source ${ref.source}`, true);
    const value = this.environment.get(ref.name);
    if (value === undefined || value.length === 0) {
      throw new SecretSourceError(`environment variable ${ref.name} is not set`, true);
    }
    return { value };
  }
}
