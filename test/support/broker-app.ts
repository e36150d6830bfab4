import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LevelWithSilent } from 'pino';
import { parseBrokerConfig, parseEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
import { createBrokerApp } from '../../apps/broker/src/broker.app';
import { listenHealthPort } from '../../apps/broker/src/transport/health-port.server';
import type { TlsServingOptions } from '../../apps/broker/src/transport/tls-serving';
import { LogCapture } from './log-capture';

/** Where a test credential's client secret lives, as written in the config file. */
export type SecretInput =
  | { readonly source: 'aws'; readonly secretId: string; readonly versionStage?: string }
  | { readonly source: 'file'; readonly path: string }
  | { readonly source: 'env'; readonly name: string };

export interface CredentialInput {
  readonly id: string;
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId?: string;
  readonly scopes?: readonly string[];
  readonly secret: SecretInput;
  /** `proxy:` as written in the file (upstreams, timeout, maxRequestBody). */
  readonly proxy?: Readonly<Record<string, unknown>>;
}

interface CallerInputBase {
  readonly id: string;
  readonly credentials: readonly string[];
  readonly roles?: readonly 'admin'[];
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number };
  /** `proxy:` grants (credential ids or globs). */
  readonly proxy?: readonly string[];
}

/** A caller by its clear API key; the file gets its SHA-256, as in production. */
export interface ApiKeyCallerInput extends CallerInputBase {
  readonly apiKey: string;
}

/** A workload-JWT caller: the `sub` it presents, and its issuer when several are configured. */
export interface JwtCallerInput extends CallerInputBase {
  readonly jwtSubject: string;
  readonly issuer?: string;
}

/** A caller identified by client certificate (`certificate:` as written in the file), optionally with an API key too. */
export interface CertificateCallerInput extends CallerInputBase {
  readonly certificate: unknown;
  readonly apiKey?: string;
}

export type CallerInput = ApiKeyCallerInput | JwtCallerInput | CertificateCallerInput;

function identityOf(c: CallerInput): Record<string, unknown> {
  if ('certificate' in c) return { certificate: c.certificate, ...(c.apiKey === undefined ? {} : { apiKeySha256: sha256Hex(c.apiKey) }) };
  return 'apiKey' in c ? { apiKeySha256: sha256Hex(c.apiKey) } : { jwtSubject: c.jwtSubject, ...(c.issuer ? { issuer: c.issuer } : {}) };
}

export interface BrokerFileInput {
  readonly credentials: readonly CredentialInput[];
  readonly callers: readonly CallerInput[];
  readonly tokens?: Readonly<Record<string, number | string>>;
  readonly secrets?: Readonly<Record<string, string>>;
  /** `issuers:` entries, as written in the file. */
  readonly issuers?: readonly Readonly<Record<string, unknown>>[];
  readonly rateLimits?: Readonly<Record<string, unknown>>;
}

export const TEST_ORG_ID = 'E2E0000000000000000000AA@AdobeOrg';
export const TEST_SCOPES: readonly string[] = ['openid', 'AdobeID', 'read_organizations'];

/** Lower-case hex SHA-256, the form `apiKeySha256` takes in the config file. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The text of a broker config file. JSON is valid YAML, so the typed input is serialised as is. */
export function brokerYaml(input: BrokerFileInput): string {
  return JSON.stringify(
    {
      credentials: input.credentials.map((c) => ({
        id: c.id,
        provider: 'adobe-ims',
        imsUrl: c.imsUrl,
        clientId: c.clientId,
        orgId: c.orgId ?? TEST_ORG_ID,
        scopes: c.scopes ?? TEST_SCOPES,
        secret: c.secret,
        ...(c.proxy ? { proxy: c.proxy } : {}),
      })),
      callers: input.callers.map((c) => ({
        id: c.id,
        ...identityOf(c),
        credentials: c.credentials,
        ...(c.roles ? { roles: c.roles } : {}),
        ...(c.rateLimit ? { rateLimit: c.rateLimit } : {}),
        ...(c.proxy ? { proxy: c.proxy } : {}),
      })),
      ...(input.tokens ? { tokens: input.tokens } : {}),
      ...(input.secrets ? { secrets: input.secrets } : {}),
      ...(input.issuers ? { issuers: input.issuers } : {}),
      ...(input.rateLimits ? { rateLimits: input.rateLimits } : {}),
    },
    null,
    2,
  );
}

export interface StartBrokerOptions {
  readonly file: BrokerFileInput;
  /** Default `trace`, so every line the broker can write is captured (and checked for secrets). */
  readonly logLevel?: LevelWithSilent;
  /** Lines go here; pass one capture to several brokers of a test file to see every line in one place. */
  readonly logs?: LogCapture;
  /** The audit trail goes here (on its own stream, as with AUDIT_LOG); default: the `logs` stream. */
  readonly auditLogs?: LogCapture;
  /** How the callers' GET routes are served (`createBrokerApp`'s option), to compare the ways. */
  readonly servingPath?: 'fast' | 'fastify' | 'nest';
}

/** A broker built by `createBrokerApp` exactly as `main.ts` builds it, listening on a free loopback port. */
export interface BrokerUnderTest {
  readonly app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 (https:// when TLS_CERT_FILE is set) */
  readonly url: string;
  /** The HEALTH_PORT listener's URL, when HEALTH_PORT is set (pass '0' for a free port). */
  readonly healthUrl?: string;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

/**
 * Validates the config like the real boot path (`parseBrokerConfig`, `parseEnvironment`) and starts the app.
 * Nest routes every `Logger` to the most recently created app's logger, so several brokers alive at once in
 * one test file should share one `LogCapture`.
 */
export async function startBroker(options: StartBrokerOptions): Promise<BrokerUnderTest> {
  return startBrokerFromText(brokerYaml(options.file), {
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.logs === undefined ? {} : { logs: options.logs }),
    ...(options.auditLogs === undefined ? {} : { auditLogs: options.auditLogs }),
    ...(options.servingPath === undefined ? {} : { servingPath: options.servingPath }),
  });
}

/** Like `startBroker`, from a config file's text and extra environment variables (on a loopback host). */
export async function startBrokerFromText(
  configText: string,
  options: { env?: Record<string, string>; logLevel?: LevelWithSilent; logs?: LogCapture; auditLogs?: LogCapture; source?: string; tls?: TlsServingOptions; servingPath?: 'fast' | 'fastify' | 'nest' } = {},
): Promise<BrokerUnderTest> {
  const logs = options.logs ?? new LogCapture();
  const level = options.logLevel ?? 'trace';
  // HEALTH_PORT=0 asks for a free port; the parser wants a real one, so it gets a placeholder here.
  const wantsHealthPort = options.env?.['HEALTH_PORT'] === '0';
  const env = parseEnvironment({ HOST: '127.0.0.1', LOG_LEVEL: level, ...options.env, ...(wantsHealthPort ? { HEALTH_PORT: '65535' } : {}) });
  const config = parseBrokerConfig(configText, options.source ?? '/e2e/broker.yaml');
  const logger = createRootLogger({ level, destination: logs });
  const app = await createBrokerApp({
    env,
    config,
    logger,
    ...(options.auditLogs ? { auditDestination: options.auditLogs } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.servingPath === undefined ? {} : { servingPath: options.servingPath }),
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('broker has no TCP address');
  let healthUrl: string | undefined;
  if (env.healthPort !== undefined) {
    const health = await listenHealthPort(app.getHttpAdapter().getInstance(), wantsHealthPort ? 0 : env.healthPort, '127.0.0.1');
    const healthAddress = health.address();
    if (healthAddress === null || typeof healthAddress === 'string') throw new Error('health port has no TCP address');
    healthUrl = `http://127.0.0.1:${healthAddress.port}`;
  }
  let closed = false;
  return {
    app,
    url: `${env.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    ...(healthUrl === undefined ? {} : { healthUrl }),
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
