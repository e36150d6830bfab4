import { RATE_LIMIT_BOUNDS } from './config.constants';
import type { RateLimit, RateLimitsPolicy } from './broker-config.interface';
import { numberBetween, type Rule } from './field.rules';
import { MappingReader } from './mapping.reader';

const B = RATE_LIMIT_BOUNDS;

/** Rule for a token bucket, `{ requestsPerSecond, burst }`; both are required so the bucket is explicit. */
export const rateLimit: Rule<RateLimit> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(['requestsPerSecond', 'burst']);
  const requestsPerSecond = r.required('requestsPerSecond', numberBetween(B.minPerSecond, B.maxPerSecond));
  const burst = r.required('burst', numberBetween(1, B.maxBurst, { integer: true }));
  if (requestsPerSecond === undefined || burst === undefined) return undefined;
  return { requestsPerSecond, burst };
};

/** Rule for the optional `rateLimits:` section; without `default`, only callers with a `rateLimit` are limited. */
export const rateLimitsPolicy: Rule<RateLimitsPolicy> = (value, path, issues) => {
  const r = MappingReader.open(value ?? {}, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(['default']);
  if (r.raw('default') === undefined) return {};
  const fallback = r.required('default', rateLimit);
  return fallback === undefined ? undefined : { default: fallback };
};
