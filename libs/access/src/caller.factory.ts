import type { CallerConfig, RateLimitsPolicy } from '@broker/config';
import type { Caller } from './caller';
import { compileGrants } from './credential-grants';

/** The `Caller` a configured caller becomes once authenticated by `kind`; built once per config, not per request. */
export function callerFrom(config: CallerConfig, limits: RateLimitsPolicy, kind: Caller['kind']): Caller {
  const rateLimit = config.rateLimit ?? limits.default;
  return {
    id: config.id,
    kind,
    credentials: config.credentials,
    grants: compileGrants(config.credentials),
    roles: config.roles,
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
}
