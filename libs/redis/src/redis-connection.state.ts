import type { RedisEnvironment } from '@broker/config';
import type { RedisClient } from './redis-client.types';

/** Where the broker's Redis is, for people: host:port, Sentinel or Cluster nodes; never a URL or a password. */
export function describeRedisTarget(env: RedisEnvironment): string {
  if (env.url !== undefined) {
    const url = URL.canParse(env.url) ? new URL(env.url) : undefined;
    return url ? `${url.hostname}:${url.port || '6379'}` : 'the configured Redis';
  }
  if (env.sentinels !== undefined) return `sentinel master ${env.sentinelName ?? ''} via ${env.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (env.clusterNodes !== undefined) return `cluster ${env.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return 'the configured Redis';
}

/** `12:03:04Z` today, the full ISO second otherwise: short enough for a probe body, unambiguous after midnight. */
export function sinceLabel(at: number, now: number): string {
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? iso.slice(11) : iso;
}

/** Error codes are short upper-case words (`ECONNREFUSED`, `NOAUTH`); anything else is not echoed. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,31}$/;

/** The short code of a Redis or socket error (`ECONNREFUSED`, `NOAUTH`), or undefined. */
export function redisErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && ERROR_CODE.test(code)) return code;
  // Redis replies such as "NOAUTH Authentication required." carry their code as the first word.
  const first = error instanceof Error ? error.message.split(' ', 1)[0] : undefined;
  return first !== undefined && ERROR_CODE.test(first) ? first : undefined;
}

/**
 * Follows the commands connection's events so readiness can say, in an operator's words, since when Redis
 * has been unreachable and why (`redis 127.0.0.1:6380 unreachable (ECONNREFUSED) since 12:03:04Z`),
 * instead of ioredis' internal messages.
 */
export class RedisConnectionState {
  private downSince: number | undefined;
  private lastCode: string | undefined;

  constructor(
    readonly target: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts following `client`; call it right after creating the client so boot-time failures are seen. */
  observe(client: RedisClient): void {
    // Until the first `ready` the connection counts as down from the moment it was opened.
    if (client.status !== 'ready') this.downSince ??= this.now();
    client.on('error', (error: unknown) => {
      this.downSince ??= this.now();
      this.lastCode = redisErrorCode(error) ?? this.lastCode;
    });
    client.on('close', () => {
      this.downSince ??= this.now();
    });
    client.on('ready', () => {
      this.downSince = undefined;
      this.lastCode = undefined;
    });
  }

  /** True while the connection is not ready for commands. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** The reason readiness shows while Redis cannot be used; `pingFailure` when connected but not answering. */
  describe(pingFailure?: string): string {
    const now = this.now();
    if (this.downSince === undefined) return `redis ${this.target} ${pingFailure ?? 'not answering'}`;
    const cause = this.lastCode ? ` (${this.lastCode})` : '';
    return `redis ${this.target} unreachable${cause} since ${sinceLabel(this.downSince, now)}`;
  }
}
