import type { CallerConfig, RateLimitsPolicy } from '@broker/config';
import type { Caller } from './caller';
import { compileGrants } from './credential-grants';

/** The `Caller` a configured caller becomes once authenticated; built once per config, not per request. */
export function callerFrom(config: CallerConfig, limits: RateLimitsPolicy): Caller {
  const rateLimit = config.rateLimit ?? limits.default;
  return {
    id: config.id,
    kind: config.jwt === undefined ? 'api-key' : 'jwt',
    credentials: config.credentials,
    grants: compileGrants(config.credentials),
    proxyGrants: compileGrants(config.proxy),
    roles: config.roles,
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
}
