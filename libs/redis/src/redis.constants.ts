/** DI token of the connection for commands and scripts (fails fast while Redis is unreachable). */
export const REDIS_CLIENT = 'BROKER:REDIS';
/** DI token of the connection reserved for SUBSCRIBE: a subscribed connection cannot run other commands. */
export const REDIS_SUBSCRIBER = 'BROKER:REDIS_SUB';

/**
 * Chosen so that a Redis outage degrades callers within about a second instead of hanging them, and so that
 * a fleet of brokers reconnects by itself when Redis returns without stampeding it.
 */
export const REDIS_TIMEOUTS = Object.freeze({
  /** A reply slower than this fails the command (a hung or paused server). */
  commandMs: 1_000,
  /** TCP + TLS + handshake of one connection attempt. */
  connectMs: 3_000,
  /** Reconnect back-off: 100 ms per attempt, capped, plus up to `reconnectJitterMs` so replicas spread out. */
  reconnectStepMs: 100,
  reconnectCapMs: 2_000,
  reconnectJitterMs: 250,
  /** How long boot waits for the first connection before it goes on degraded (readiness reports it). */
  bootReadyMs: 3_000,
  /** Health PING budget: readiness must answer quickly even when Redis does not. */
  healthPingMs: 500,
  /** QUIT lets in-flight replies arrive; past this the socket is simply closed. */
  quitMs: 1_000,
});

export const REDIS_MESSAGES = Object.freeze({
  noConnection: 'Redis environment sets none of url, sentinels or clusterNodes',
  notReady: (ms: number) => `redis connection not ready within ${ms} ms`,
  closed: 'redis connection was closed',
  quitTimeout: (ms: number) => `redis QUIT got no reply within ${ms} ms`,
  pingTimeout: (ms: number) => `PING got no reply within ${ms} ms`,
  unexpectedPong: 'PING got an unexpected reply',
});
