import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { MemoryRateLimiter } from './memory.rate-limiter';
import { RateLimiter } from './rate-limiter.port';
import { RedisRateLimiter } from './redis.rate-limiter';

export interface RateLimitModuleOptions {
  /** `fleet`: buckets shared through Redis (needs the global RedisModule); `local`: in-process buckets. */
  readonly mode: 'fleet' | 'local';
}

/** Provides the RateLimiter port with the adapter for the deployment mode. */
@Module({})
export class RateLimitModule {
  /** The RateLimiter for `options.mode`, available everywhere (the caller guard consumes it). */
  static forRoot(options: RateLimitModuleOptions): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      providers: [{ provide: RateLimiter, useClass: rateLimiterFor(options.mode) }],
      exports: [RateLimiter],
    };
  }
}

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
