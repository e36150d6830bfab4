import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { RedisEnvironment } from '@broker/config';
import { REDIS_CLIENT, REDIS_SUBSCRIBER, REDIS_TIMEOUTS } from './redis.constants';
import { createRedisClient } from './redis-client.factory';
import { closeRedisClient, waitUntilReady } from './redis-client.lifecycle';
import type { RedisClient, RedisRole } from './redis-client.types';
import { RedisHealthIndicator } from './redis.health';
import { describeRedisTarget, RedisConnectionState } from './redis-connection.state';
import { RedisKeyspace } from './redis-keyspace';

/**
 * Redis for fleet mode: a commands connection, a subscriber connection, the keyspace (prefix and hash tags) and the readiness
 * check, available to every module. Connections close on application shutdown, i.e. after every module's
 * onModuleDestroy, so held locks are released while Redis is still reachable.
 */
@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  private static readonly logger = new Logger(RedisModule.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly client: RedisClient,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: RedisClient,
  ) {}

  /** Connects to the Redis described by `env` (from `@broker/config`). */
  static forRoot(env: RedisEnvironment): DynamicModule {
    const connection = new RedisConnectionState(describeRedisTarget(env));
    return {
      module: RedisModule,
      global: true,
      imports: [TerminusModule],
      providers: [
        { provide: REDIS_CLIENT, useFactory: () => RedisModule.connect(env, 'commands', connection) },
        { provide: REDIS_SUBSCRIBER, useFactory: () => RedisModule.connect(env, 'subscriber') },
        { provide: RedisKeyspace, useValue: new RedisKeyspace(env.keyPrefix) },
        { provide: RedisConnectionState, useValue: connection },
        RedisHealthIndicator,
      ],
      exports: [REDIS_CLIENT, REDIS_SUBSCRIBER, RedisKeyspace, RedisHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([closeRedisClient(this.client), closeRedisClient(this.subscriber)]);
  }

  /**
   * The commands connection rejects commands until it is ready, so boot waits for it (briefly): the first
   * requests must not fail only because the handshake was still running. If Redis is down the broker starts
   * anyway, reports itself degraded, and recovers when the connection does.
   */
  private static async connect(env: RedisEnvironment, role: RedisRole, connection?: RedisConnectionState): Promise<RedisClient> {
    const client = createRedisClient(env, role);
    connection?.observe(client);
    try {
      await waitUntilReady(client, REDIS_TIMEOUTS.bootReadyMs);
    } catch {
      RedisModule.logger.warn({ msg: 'redis not reachable at boot; starting degraded, reconnecting in the background', role });
    }
    return client;
  }
}
