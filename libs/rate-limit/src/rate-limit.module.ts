import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { MemoryRateLimiter } from './memory.rate-limiter';
import { RateLimiter } from './rate-limiter.port';
import { RedisRateLimiter } from './redis.rate-limiter';

export interface RateLimitModuleOptions {
  /** `fleet`: buckets shared through Redis (needs the global RedisModule); `local`: in-process buckets. */
  readonly mode: 'fleet' | 'local';
}

/**
 * Provides the RateLimiter port with the adapter for the deployment mode; imported by the access lib (the
 * caller guard consumes it). One definition per mode (see FleetModule for why not `ConfigurableModuleBuilder`).
 */
@Module({})
export class RateLimitModule {
  /** The RateLimiter for `options.mode`. */
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    return DEFINITIONS[options.mode];
  }
}

const DEFINITIONS: Readonly<Record<RateLimitModuleOptions['mode'], DynamicModule>> = Object.freeze({
  local: { module: RateLimitModule, providers: [{ provide: RateLimiter, useClass: rateLimiterFor('local') }], exports: [RateLimiter] },
  fleet: { module: RateLimitModule, providers: [{ provide: RateLimiter, useClass: rateLimiterFor('fleet') }], exports: [RateLimiter] },
});

function rateLimiterFor(mode: RateLimitModuleOptions['mode']): Type<RateLimiter> {
  switch (mode) {
    case 'fleet':
      return RedisRateLimiter;
    case 'local':
      return MemoryRateLimiter;
    default: {
      const unknown: never = mode;
      throw new Error(`unknown rate-limit mode ${String(unknown)}`);
    }
  }
}
