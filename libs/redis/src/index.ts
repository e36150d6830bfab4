export { REDIS_CLIENT, REDIS_SUBSCRIBER } from './redis.constants';
export { createRedisClient } from './redis-client.factory';
export { closeRedisClient, waitUntilReady, withTimeout } from './redis-client.lifecycle';
export type { RedisClient, RedisRole } from './redis-client.types';
export { RedisHealthIndicator } from './redis.health';
export { RedisKeys } from './redis-keys';
export { RedisModule } from './redis.module';
