export { REDIS_CLIENT, REDIS_SUBSCRIBER } from './redis.constants';
export { createRedisClient } from './redis-client.factory';
export { closeRedisClient, waitUntilReady, withTimeout } from './redis-client.lifecycle';
export { isRedisReachable } from './listening-clients';
export type { RedisClient, RedisRole } from './redis-client.types';
export { RedisHealthIndicator } from './redis.health';
export { credentialTag, RedisKeyspace } from './redis-keyspace';
export { RedisModule } from './redis.module';
