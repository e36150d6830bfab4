import { ENV_DEFAULTS, ENVIRONMENT_SOURCE, LOG_LEVELS, MESSAGES } from './config.constants';
import type { BrokerEnvironment, LogLevel } from './broker-environment.interface';
import { IssueCollector } from './config.issues';
import { deepFreeze } from './deep-freeze.util';
import { parseEncryptionKeys } from './encryption-keys.parser';
import { isFleetMode, parsePort, parseRedisEnvironment } from './redis-environment.parser';

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

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

  const redis = parseRedisEnvironment(get, issues);
  const keysText = get('TOKEN_ENCRYPTION_KEYS');
  const tokenEncryptionKeys = keysText === undefined ? undefined : parseEncryptionKeys(keysText, issues);
  if (isFleetMode(get) && keysText === undefined) issues.add('TOKEN_ENCRYPTION_KEYS', MESSAGES.fleetNeedsKeys);

  if (issues.count > 0 || port === undefined || !isLogLevel(logLevel)) throw issues.toError(ENVIRONMENT_SOURCE);
  return deepFreeze({
    port,
    host,
    configPath,
    logLevel,
    ...(redis && { redis }),
    ...(tokenEncryptionKeys && { tokenEncryptionKeys }),
  });
}
