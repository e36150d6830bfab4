import { CONFIG_DEFAULTS } from './config.constants';
import type { SecretsPolicy, TokenPolicy } from './broker-config.interface';
import { duration, numberBetween, type Rule } from './field.rules';
import { MappingReader } from './mapping.reader';
import { parseDuration } from './duration.parser';
import { PROXY_CONFIG, rejectionCooldown } from './proxy.reader';

const D = CONFIG_DEFAULTS;

/** Rule for the optional `tokens:` section; absent fields take their defaults. */
export const tokenPolicy: Rule<TokenPolicy> = (value, path, issues) => {
  const r = MappingReader.open(value ?? {}, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys([
    'refreshAt',
    'refreshJitter',
    'minTtlDefault',
    'minRefreshInterval',
    'failureCooldown',
    'upstreamTimeout',
    'upstreamAttempts',
    'rejectionCooldown',
  ]);
  const policy = {
    refreshAt: r.optional('refreshAt', numberBetween(0.1, 0.9), D.refreshAt),
    refreshJitter: r.optional('refreshJitter', numberBetween(0, 0.25), D.refreshJitter),
    minTtlDefaultSeconds: r.optional('minTtlDefault', numberBetween(0, 3600, { integer: true }), D.minTtlDefault),
    minRefreshIntervalMs: r.optional('minRefreshInterval', duration, parseDuration(D.minRefreshInterval)),
    failureCooldownMs: r.optional('failureCooldown', duration, parseDuration(D.failureCooldown)),
    upstreamTimeoutMs: r.optional('upstreamTimeout', duration, parseDuration(D.upstreamTimeout)),
    upstreamAttempts: r.optional('upstreamAttempts', numberBetween(1, 10, { integer: true }), D.upstreamAttempts),
    rejectionCooldownMs: r.optional('rejectionCooldown', rejectionCooldown, parseDuration(PROXY_CONFIG.defaultRejectionCooldown)),
  };
  return allDefined(policy) ? policy : undefined;
};

/** Rule for the optional `secrets:` section. */
export const secretsPolicy: Rule<SecretsPolicy> = (value, path, issues) => {
  const r = MappingReader.open(value ?? {}, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(['cacheTtl']);
  const cacheTtlMs = r.optional('cacheTtl', duration, parseDuration(D.secretsCacheTtl));
  return cacheTtlMs === undefined ? undefined : { cacheTtlMs };
};

function allDefined<T extends object>(record: { [K in keyof T]: T[K] | undefined }): record is T {
  return Object.values(record).every((v) => v !== undefined);
}
