import { CONFIG_DEFAULTS } from '../config.constants';
import { duration, mapping, numberBetween } from './field.schemas';

const D = CONFIG_DEFAULTS;

/** `tokens:`; absent fields take their defaults. Durations become milliseconds in the validated config. */
export const tokenPolicy = mapping({
  refreshAt: numberBetween(0.1, 0.9).prefault(D.refreshAt).meta({ description: 'refresh once this fraction of the lifetime has passed' }),
  refreshJitter: numberBetween(0, 0.25).prefault(D.refreshJitter).meta({ description: 'random spread of the refresh moment, as a fraction of the lifetime' }),
  minTtlDefault: numberBetween(0, 3600, { integer: true }).prefault(D.minTtlDefault).meta({ description: 'seconds a served token has left at least, unless the request asks otherwise' }),
  minRefreshInterval: duration.prefault(D.minRefreshInterval),
  failureCooldown: duration.prefault(D.failureCooldown),
  upstreamTimeout: duration.prefault(D.upstreamTimeout),
  upstreamAttempts: numberBetween(1, 10, { integer: true }).prefault(D.upstreamAttempts),
  callerWait: duration.prefault(D.callerWait).meta({ description: 'the longest a caller waits for a refresh; past it a 503 with Retry-After while the refresh carries on' }),
}).transform((tokens) => ({
  refreshAt: tokens.refreshAt,
  refreshJitter: tokens.refreshJitter,
  minTtlDefaultSeconds: tokens.minTtlDefault,
  minRefreshIntervalMs: tokens.minRefreshInterval,
  failureCooldownMs: tokens.failureCooldown,
  upstreamTimeoutMs: tokens.upstreamTimeout,
  upstreamAttempts: tokens.upstreamAttempts,
  callerWaitMs: tokens.callerWait,
}));

/** `secrets:`. */
export const secretsPolicy = mapping({
  cacheTtl: duration.prefault(D.secretsCacheTtl).meta({ description: 'how long a secret read from its source is reused' }),
}).transform((secrets) => ({ cacheTtlMs: secrets.cacheTtl }));
