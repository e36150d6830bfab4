import type { ConnectionOptions } from 'node:tls';
import { Logger } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import type { RedisEnvironment } from '@broker/config';
import { REDIS_MESSAGES, REDIS_TIMEOUTS } from './redis.constants';
import { describeRedisError } from './redis-client.lifecycle';
import { ListeningCluster, ListeningRedis } from './listening-clients';
import type { RedisClient, RedisRole } from './redis-client.types';

/** Delay before reconnect attempt `times`: linear back-off capped at 2 s, jittered so a fleet does not reconnect in lockstep. */
export function reconnectDelay(times: number, random: () => number = Math.random): number {
  const { reconnectStepMs, reconnectCapMs, reconnectJitterMs } = REDIS_TIMEOUTS;
  return Math.min(reconnectCapMs, reconnectStepMs * Math.max(1, times)) + Math.floor(random() * reconnectJitterMs);
}

/** Per-connection options of a role (for a Cluster: of each node connection). */
export function connectionOptions(role: RedisRole): RedisOptions {
  const shared: RedisOptions = {
    connectionName: `token-broker:${role}`,
    connectTimeout: REDIS_TIMEOUTS.connectMs,
    // Never give up: when Redis returns, the broker recovers without a restart.
    retryStrategy: (times) => reconnectDelay(times),
  };
  switch (role) {
    case 'commands':
      return {
        ...shared,
        // While disconnected a command fails at once instead of queueing behind a reconnect.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: REDIS_TIMEOUTS.commandMs,
      };
    case 'subscriber':
      // Nobody on a request path waits for this connection. A SUBSCRIBE sent while it is down must stay
      // queued until it is back: a rejected SUBSCRIBE is forgotten, and ioredis only re-subscribes
      // channels that were subscribed before, so a timeout or a queue flush would lose the channel.
      return { ...shared, enableOfflineQueue: true, maxRetriesPerRequest: null };
    default: {
      const unknown: never = role;
      throw new Error(`unknown redis role ${String(unknown)}`);
    }
  }
}

/** Opens (eagerly) a connection of `role` to the Redis given by `env`; it reconnects by itself forever. */
export function createRedisClient(env: RedisEnvironment, role: RedisRole): RedisClient {
  // The command budget is enforced in listening time by the client classes, not by ioredis's own timer.
  const { commandTimeout, replyMapping: _replyMapping, ...options } = connectionOptions(role);
  const auth = {
    ...(env.username !== undefined && { username: env.username }),
    ...(env.password !== undefined && { password: env.password }),
  };
  const tls: ConnectionOptions | undefined = env.tls ? {} : undefined;
  let client: ListeningRedis | ListeningCluster;
  if (env.url !== undefined) {
    // The URL carries its own credentials, db and TLS (rediss://).
    client = new ListeningRedis(env.url, options);
  } else if (env.sentinels !== undefined) {
    const sentinels = env.sentinels.map(({ host, port }) => ({ host, port }));
    client = new ListeningRedis({ ...options, ...auth, sentinels, name: env.sentinelName, tls });
  } else if (env.clusterNodes !== undefined) {
    // A Cluster reconnects and queues as a whole; its node connections take the rest of the options.
    const { retryStrategy, enableOfflineQueue, ...nodeOptions } = options;
    const nodes = env.clusterNodes.map(({ host, port }) => ({ host, port }));
    client = new ListeningCluster(nodes, {
      redisOptions: { ...nodeOptions, ...auth, tls },
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy,
    });
  } else {
    throw new Error(REDIS_MESSAGES.noConnection);
  }
  client.commandBudgetMs = commandTimeout;
  logConnectionState(client, role);
  return client;
}

/**
 * One warning per outage and one line on recovery: ioredis emits an error on every failed reconnect, and
 * without a listener it prints them to stderr itself. Only error messages are logged, never options (the
 * URL and password live there).
 */
function logConnectionState(client: RedisClient, role: RedisRole): void {
  const logger = new Logger('RedisClient');
  let failing = false;
  client.on('error', (error: unknown) => {
    if (failing) return;
    failing = true;
    logger.warn({ msg: 'redis connection failing; reconnecting in the background', role, error: describeRedisError(error) });
  });
  client.on('ready', () => {
    if (failing) logger.log({ msg: 'redis connection recovered', role });
    failing = false;
  });
}
