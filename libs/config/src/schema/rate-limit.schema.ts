import { RATE_LIMIT_BOUNDS } from '../config.constants';
import { mapping, numberBetween } from './field.schemas';

const B = RATE_LIMIT_BOUNDS;

/** A token bucket, `{ requestsPerSecond, burst }`; both are required so the bucket is explicit. */
export const rateLimit = mapping({
  requestsPerSecond: numberBetween(B.minPerSecond, B.maxPerSecond).meta({ description: 'refill rate; fractions are fine' }),
  burst: numberBetween(1, B.maxBurst, { integer: true }).meta({ description: 'most requests the bucket holds' }),
});

/** `rateLimits:`; without `default`, only callers with their own `rateLimit` are limited. */
export const rateLimitsPolicy = mapping({
  default: rateLimit.optional().meta({ description: 'the bucket of every caller without its own rateLimit' }),
}).transform((limits) => (limits.default === undefined ? {} : { default: limits.default }));
