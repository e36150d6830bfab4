export { MemoryRateLimiter } from './memory.rate-limiter';
export { RateLimitedError } from './rate-limit.errors';
export { rateLimitKey } from './rate-limit.keys';
export { RateLimitModule, type RateLimitModuleOptions } from './rate-limit.module';
export { RateLimiter } from './rate-limiter.port';
export { RedisRateLimiter } from './redis.rate-limiter';
export { TOKEN_BUCKET_SCRIPT } from './token-bucket.lua';
