import { Agent } from 'node:https';
import type * as SecretsManagerModule from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { BROKER_ENV, type BrokerEnvironment } from '@broker/config';

/** AWS errors that retrying will not fix: the secret, the request or the broker's permissions are wrong. */
export const PERMANENT_AWS_ERRORS: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'ResourceExistsException',
  'AccessDeniedException',
  'DecryptionFailure',
  'EncryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
  'LimitExceededException',
  'UnrecognizedClientException',
]);

/** The AWS error name (`ResourceNotFoundException`, …) of an SDK failure; never its message. */
export function awsErrorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

/** Longest SDK message kept: enough for the SDK's sentence, not for a dumped payload. */
const MAX_CAUSE_LENGTH = 200;

/**
 * The SDK's own cause in one line, for logs, readiness and `brokerctl status`: `Region is missing`,
 * `connect ECONNREFUSED 127.0.0.1:4566`, `ResourceNotFoundException: Secrets Manager can't find the specified
 * secret.` AWS error messages name the request, never a secret's value (GetSecretValue failures carry none);
 * URLs with credentials and control characters are masked anyway.
 */
export function awsErrorCause(error: unknown): string {
  if (!(error instanceof Error)) return 'UnknownError';
  const nested = error instanceof AggregateError && error.errors[0] instanceof Error ? error.errors[0] : undefined;
  const code = (error as NodeJS.ErrnoException).code;
  const raw = error.message || nested?.message || (typeof code === 'string' ? code : '');
  const message = (raw.split('\n', 1)[0] ?? '')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\/\/[^/\s@]*:[^/\s@]*@/g, '//<redacted>@')
    .trim()
    .slice(0, MAX_CAUSE_LENGTH);
  if (message === '') return error.name;
  return error.name === 'Error' || message.startsWith(error.name) ? message : `${error.name}: ${message}`;
}

/** The AWS SDK's Secrets Manager module: the client and its commands. */
export type SecretsManagerSdk = typeof SecretsManagerModule;

let sdkModule: Promise<SecretsManagerSdk> | undefined;

/**
 * Loads the AWS SDK on first use. A broker without `aws` secrets or rotation never loads it: the SDK and
 * its @smithy dependencies are several MiB of heap (module sources, compiled code) for nothing.
 */
export function loadSecretsManagerSdk(): Promise<SecretsManagerSdk> {
  sdkModule ??= import('@aws-sdk/client-secrets-manager').catch((error: unknown) => {
    sdkModule = undefined;
    throw error;
  });
  return sdkModule;
}

/**
 * The one Secrets Manager client of the process, shared by the secret source (reads) and the version store
 * (rotation writes). Region, credentials and endpoint come from the SDK's standard chain (`AWS_REGION`,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, IRSA, …). The SDK retries throttling and network errors itself
 * (3 attempts); timeouts keep a hung endpoint from blocking a refresh or a rotation step. The SDK builds its
 * own HTTPS agent, which Node's global proxy settings do not reach, so the agent here carries HTTPS_PROXY /
 * NO_PROXY itself (and trusts NODE_EXTRA_CA_CERTS, as every Node TLS client does).
 */
@Injectable()
export class AwsSecretsManagerClient implements OnModuleDestroy {
  private client: SecretsManagerClient | undefined;

  constructor(@Inject(BROKER_ENV) private readonly env: BrokerEnvironment) {}

  /**
   * The client and the SDK's commands, both created on first use: a broker without `aws` secrets never
   * needs an AWS region, nor loads the SDK at all.
   */
  async sdk(): Promise<{ readonly client: SecretsManagerClient; readonly commands: SecretsManagerSdk }> {
    const commands = await loadSecretsManagerSdk();
    this.client ??= new commands.SecretsManagerClient({
      // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes and keeps waiting.
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: 5_000,
        throwOnRequestTimeout: true,
        // The SDK's own default agent, plus the proxy variables.
        httpsAgent: new Agent({ keepAlive: true, maxSockets: 50, ...(this.env.outboundProxy === undefined ? {} : { proxyEnv: { ...this.env.outboundProxy } }) }),
      },
    });
    return { client: this.client, commands };
  }

  onModuleDestroy(): void {
    this.client?.destroy();
    this.client = undefined;
  }
}
