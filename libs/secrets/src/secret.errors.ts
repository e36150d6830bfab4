import { DomainError } from '@broker/problems';

/**
 * A source could not produce the secret. `permanent` failures (not found, access denied, unparsable) will
 * not fix themselves by retrying soon; transient ones (network, throttling) might.
 */
export class SecretSourceError extends Error {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'SecretSourceError';
  }
}

/** Callers see this when a credential's secret cannot be read and none is cached. */
export class SecretUnavailableError extends DomainError {
  constructor(credentialId: string, options?: { cause?: unknown }) {
    super(
      'secret_unavailable',
      503,
      'Secret unavailable',
      `The client secret of credential '${credentialId}' cannot be read right now.`,
      { 'retry-after': '5' },
      options,
    );
  }
}
