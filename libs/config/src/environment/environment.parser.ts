import { ENV_DEFAULTS, ENVIRONMENT_SOURCE, LOG_LEVELS, MESSAGES, MIN_ROTATION_CHECK_INTERVAL_MS } from '../config.constants';
import type { BrokerEnvironment, LogLevel } from './broker-environment.interface';
import { IssueCollector } from '../errors/config.issues';
import { deepFreeze } from '../loading/deep-freeze.util';
import { parseDuration } from '../schema/duration.parser';
import { parseEncryptionKeys } from './encryption-keys.parser';
import { isFleetMode, parsePort, parseRedisEnvironment } from './redis-environment.parser';
import { parseTransportEnvironment, TRANSPORT_ENV_VARIABLES } from './tls-environment.parser';
import { parseEventLoopBlock, TEST_BLOCK_EVENT_LOOP } from './test-hooks.parser';
import { HTTP_ENV_VARIABLES, parseHttpTimeouts } from './http-environment.parser';

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A duration variable (`5s`, `500ms`); zero is allowed (e.g. no drain delay). */
function envDuration(get: (name: string) => string | undefined, name: string, fallback: number, issues: IssueCollector): number {
  const text = get(name);
  if (text === undefined) return fallback;
  // Zero is a legitimate choice (e.g. no drain behind a load balancer that drains by itself), with or without a unit.
  if (/^0+(ms|s|m|h|d)?$/.test(text)) return 0;
  try {
    return parseDuration(text);
  } catch {
    issues.add(name, MESSAGES.duration);
    return fallback;
  }
}

/**
 * Every variable `parseEnvironment` reads, for deployment manifests and their tests (test/deploy checks
 * this list against what the parser actually reads). Not listed: the AWS SDK's own variables, and the
 * names that `secret.source: env` entries of the config file point at.
 */
export const BROKER_ENV_VARIABLES = Object.freeze([
  'PORT',
  'HOST',
  'BROKER_CONFIG',
  'LOG_LEVEL',
  'SHUTDOWN_DRAIN',
  'SHUTDOWN_TIMEOUT',
  'ROTATION_CHECK_INTERVAL',
  'AUDIT_LOG',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_CLUSTER_NODES',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_TLS',
  'REDIS_KEY_PREFIX',
  'TOKEN_ENCRYPTION_KEYS',
  ...TRANSPORT_ENV_VARIABLES,
  ...HTTP_ENV_VARIABLES,
  TEST_BLOCK_EVENT_LOOP,
] as const);

/** `parseEnvironment` over the real `process.env`, so the app itself never reads it. */
export function readEnvironment(): BrokerEnvironment {
  return parseEnvironment(process.env);
}

/**
 * Validates the broker's environment variables into a frozen `BrokerEnvironment`; throws
 * `ConfigValidationError` listing every bad variable. Empty variables count as unset.
 */
export function parseEnvironment(env: NodeJS.ProcessEnv): BrokerEnvironment {
  const issues = new IssueCollector();
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const portText = get('PORT');
  const port = portText === undefined ? ENV_DEFAULTS.port : parsePort(portText);
  if (port === undefined) issues.add('PORT', MESSAGES.port);

  const host = get('HOST') ?? ENV_DEFAULTS.host;
  if (/\s/.test(host)) issues.add('HOST', MESSAGES.host);

  const configPath = get('BROKER_CONFIG') ?? ENV_DEFAULTS.configPath;
  if (configPath.includes('\0')) issues.add('BROKER_CONFIG', MESSAGES.configPath);

  const logLevel = (get('LOG_LEVEL') ?? ENV_DEFAULTS.logLevel).toLowerCase();
  if (!isLogLevel(logLevel)) issues.add('LOG_LEVEL', MESSAGES.oneOf(LOG_LEVELS));

  const shutdownDrainMs = envDuration(get, 'SHUTDOWN_DRAIN', ENV_DEFAULTS.shutdownDrainMs, issues);
  const shutdownTimeoutMs = envDuration(get, 'SHUTDOWN_TIMEOUT', ENV_DEFAULTS.shutdownTimeoutMs, issues);
  const rotationCheckText = get('ROTATION_CHECK_INTERVAL');
  const rotationCheckIntervalMs = rotationCheckText === undefined ? undefined : envDuration(get, 'ROTATION_CHECK_INTERVAL', MIN_ROTATION_CHECK_INTERVAL_MS, issues);
  if (rotationCheckIntervalMs !== undefined && rotationCheckIntervalMs < MIN_ROTATION_CHECK_INTERVAL_MS) {
    issues.add('ROTATION_CHECK_INTERVAL', MESSAGES.rotationCheckInterval);
  }

  const auditLogPath = get('AUDIT_LOG');
  if (auditLogPath?.includes('\0')) issues.add('AUDIT_LOG', MESSAGES.configPath);

  const redis = parseRedisEnvironment(get, issues);
  const keysText = get('TOKEN_ENCRYPTION_KEYS');
  const tokenEncryptionKeys = keysText === undefined ? undefined : parseEncryptionKeys(keysText, issues);
  if (isFleetMode(get) && keysText === undefined) issues.add('TOKEN_ENCRYPTION_KEYS', MESSAGES.fleetNeedsKeys);
  const transport = parseTransportEnvironment(get, port, issues);
  const http = parseHttpTimeouts(get, issues);
  const testEventLoopBlock = parseEventLoopBlock(get(TEST_BLOCK_EVENT_LOOP), issues);

  if (issues.count > 0 || port === undefined || !isLogLevel(logLevel)) throw issues.toError(ENVIRONMENT_SOURCE);
  return deepFreeze({
    port,
    host,
    configPath,
    logLevel,
    shutdownDrainMs,
    shutdownTimeoutMs,
    http,
    ...(rotationCheckIntervalMs !== undefined && { rotationCheckIntervalMs }),
    ...(auditLogPath !== undefined && { auditLogPath }),
    ...(redis && { redis }),
    ...(tokenEncryptionKeys && { tokenEncryptionKeys }),
    ...transport,
    ...(testEventLoopBlock && { testEventLoopBlock }),
  });
}
