import { listeningDeadline } from './listening-deadline';
import { ListeningCluster, ListeningRedis } from './listening-clients';
import { REDIS_MESSAGES, REDIS_TIMEOUTS } from './redis.constants';
import type { RedisClient } from './redis-client.types';

/** Resolves once `client` is ready for commands; rejects after `timeoutMs` or when the client is closed for good. */
export function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error(REDIS_MESSAGES.closed));
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => finish();
    const onEnd = (): void => finish(new Error(REDIS_MESSAGES.closed));
    const timer = setTimeout(() => finish(new Error(REDIS_MESSAGES.notReady(timeoutMs))), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/** PING that gives up after `timeoutMs` whatever the client's own timeouts are. */
export async function pingWithin(client: RedisClient, timeoutMs: number): Promise<void> {
  const reply = await withTimeout(client.ping(), timeoutMs, () => new Error(REDIS_MESSAGES.pingTimeout(timeoutMs)));
  if (reply !== 'PONG') throw new Error(REDIS_MESSAGES.unexpectedPong);
}

/** QUIT (pending replies still arrive) and wait for the socket to close; close it outright when QUIT fails or is slow. */
export async function closeRedisClient(client: RedisClient, timeoutMs: number = REDIS_TIMEOUTS.quitMs): Promise<void> {
  if (client instanceof ListeningRedis || client instanceof ListeningCluster) client.circuit.close();
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // Nothing to flush while it is not connected; this also cancels a scheduled reconnect. (ioredis then
    // leaves a client that was reconnecting in status "reconnecting", inert, rather than "end".)
    client.disconnect();
    return;
  }
  let onEnd: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => {
    onEnd = resolve;
    client.once('end', resolve);
  });
  try {
    await withTimeout(Promise.all([client.quit(), ended]), timeoutMs, () => new Error(REDIS_MESSAGES.quitTimeout(timeoutMs)));
  } catch {
    client.disconnect();
  } finally {
    if (onEnd) client.off('end', onEnd);
  }
}

/** A log- and health-safe description: ioredis messages carry host:port at most, but a URL is redacted anyway. */
export function describeRedisError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<redacted url>');
}

/**
 * Races `promise` against a deadline of `timeoutMs` of *listening* time (see listening-deadline.ts: a
 * starved event loop does not make an answered round trip look timed out) that rejects with
 * `timeoutError()`; a late rejection of `promise` is swallowed, not left unhandled. Used for Redis round
 * trips here and in the lock service.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, timeoutError: () => Error): Promise<T> {
  let cancel: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = listeningDeadline(timeoutMs, () => reject(timeoutError()));
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => cancel?.());
}
