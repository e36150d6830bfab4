import { ENV_DEFAULTS, KEY_PREFIX_PATTERN, MESSAGES, SENTINEL_NAME_PATTERN } from '../config.constants';
import { childPath, type IssueCollector } from '../errors/config.issues';
import type { RedisEnvironment, RedisNode } from './broker-environment.interface';

type Lookup = (name: string) => string | undefined;

const HOST = /^[A-Za-z0-9._-]+$/;
const PORT = /^\d{1,5}$/;

/** Parses a port number (1-65535) written in decimal, or undefined. */
export function parsePort(text: string): number | undefined {
  const port = PORT.test(text) ? Number(text) : 0;
  return port >= 1 && port <= 65535 ? port : undefined;
}

function parseNode(text: string): RedisNode | undefined {
  // IPv6 addresses come bracketed ([::1]:26379); the brackets are dropped, as Redis clients want the bare address.
  const match = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  const host = match?.[1];
  const port = parsePort(match?.[2] ?? '');
  const validHost = host !== undefined && (text.startsWith('[') || HOST.test(host));
  return validHost && port !== undefined ? { host, port } : undefined;
}

function parseNodes(name: string, text: string, issues: IssueCollector): RedisNode[] | undefined {
  const before = issues.count;
  const nodes = text.split(',').flatMap((entry, index) => {
    const node = parseNode(entry.trim());
    if (node === undefined) issues.add(childPath(name, index), MESSAGES.redisNode);
    return node === undefined ? [] : [node];
  });
  return issues.count === before ? nodes : undefined;
}

function isRedisUrl(text: string): boolean {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return url !== undefined && (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
}

const CONNECTION_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** True when any way to reach Redis is set, i.e. the broker runs as a fleet (even if the values are bad). */
export function isFleetMode(get: Lookup): boolean {
  return CONNECTION_VARIABLES.some((name) => get(name) !== undefined);
}

/** The Redis settings; undefined when no Redis is configured or (with issues recorded) when they are invalid. */
export function parseRedisEnvironment(get: Lookup, issues: IssueCollector): RedisEnvironment | undefined {
  const chosen = CONNECTION_VARIABLES.filter((name) => get(name) !== undefined);
  if (chosen.length === 0) return undefined;
  const before = issues.count;
  if (chosen.length > 1) issues.add(chosen.join('+'), MESSAGES.redisExclusive);

  const keyPrefix = get('REDIS_KEY_PREFIX') ?? ENV_DEFAULTS.redisKeyPrefix;
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) issues.add('REDIS_KEY_PREFIX', MESSAGES.keyPrefix);

  const url = get('REDIS_URL');
  // The URL is never echoed: it may carry a password.
  if (url !== undefined && !isRedisUrl(url)) issues.add('REDIS_URL', MESSAGES.redisUrl);

  const sentinelsText = get('REDIS_SENTINELS');
  const sentinels = sentinelsText === undefined ? undefined : parseNodes('REDIS_SENTINELS', sentinelsText, issues);
  const sentinelName = get('REDIS_SENTINEL_NAME') ?? ENV_DEFAULTS.sentinelName;
  if (sentinelsText !== undefined && !SENTINEL_NAME_PATTERN.test(sentinelName)) {
    issues.add('REDIS_SENTINEL_NAME', MESSAGES.sentinelName);
  }

  const clusterText = get('REDIS_CLUSTER_NODES');
  const clusterNodes = clusterText === undefined ? undefined : parseNodes('REDIS_CLUSTER_NODES', clusterText, issues);

  // Sentinel and Cluster nodes take their credentials and TLS from here; a URL carries its own.
  const username = get('REDIS_USERNAME');
  const password = get('REDIS_PASSWORD');
  const tlsText = get('REDIS_TLS');
  if (tlsText !== undefined && tlsText !== 'true' && tlsText !== 'false') issues.add('REDIS_TLS', MESSAGES.redisTls);
  const auth = { ...(username !== undefined && { username }), ...(password !== undefined && { password }), tls: tlsText === 'true' };

  if (issues.count > before) return undefined;
  if (url !== undefined) return { url, keyPrefix, tls: false };
  if (sentinels !== undefined) return { sentinels, sentinelName, keyPrefix, ...auth };
  return clusterNodes && { clusterNodes, keyPrefix, ...auth };
}
