import { InvalidProxyPathError } from './proxy.errors';
import { PROXY_PREFIX } from './proxy.constants';

/** What a proxy request target names, still raw (percent-encoding kept as the caller sent it). */
export interface ProxyTarget {
  readonly credentialId: string;
  readonly upstream: string;
  /** The rest of the path after the upstream name: '' or '/…'. */
  readonly path: string;
  /** '' or '?…', exactly as sent. */
  readonly query: string;
}

/** How many rounds of percent-decoding a segment is checked through (`%252e` is `%2e` is `.`). */
const DECODE_ROUNDS = 3;
const ESCAPED_SLASH = /%(2f|5c)/i;

/** The segment fully percent-decoded (up to a few rounds), or undefined if its encoding is malformed. */
function decoded(segment: string): string | undefined {
  let text = segment;
  for (let round = 0; round < DECODE_ROUNDS && text.includes('%'); round++) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  return text;
}

/** True when a path segment could make an upstream (or anything between) leave the base path. */
function isUnsafeSegment(segment: string): boolean {
  if (segment.includes('\\') || ESCAPED_SLASH.test(segment)) return true;
  const text = decoded(segment);
  return text === undefined || text === '.' || text === '..' || text.includes('/') || text.includes('\\') || ESCAPED_SLASH.test(text);
}

/**
 * Splits `/v1/proxy/{credentialId}/{upstream}/{path}?{query}` (the raw request target) and refuses paths
 * that could escape the upstream's base path: `.` and `..` segments, raw or percent-encoded (also twice),
 * `%2F`, `%5C` and backslashes. An `@` is fine (Adobe org ids contain one).
 */
export function parseProxyTarget(rawUrl: string): ProxyTarget {
  if (!rawUrl.startsWith(PROXY_PREFIX)) throw new InvalidProxyPathError();
  const queryAt = rawUrl.indexOf('?');
  const pathPart = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rawUrl.slice(queryAt);
  if (pathPart.includes('#') || query.includes('#')) throw new InvalidProxyPathError();
  const [credentialId = '', upstream = '', ...rest] = pathPart.slice(PROXY_PREFIX.length).split('/');
  if (credentialId === '' || upstream === '') throw new InvalidProxyPathError();
  if (rest.some(isUnsafeSegment)) throw new InvalidProxyPathError();
  return { credentialId, upstream, path: rest.length === 0 ? '' : `/${rest.join('/')}`, query };
}

/** Where a call goes: the upstream's origin, and the path (base path + caller's path + query) to request. */
export interface UpstreamTarget {
  readonly origin: string;
  readonly path: string;
}

/**
 * Appends the caller's path and query to an upstream base URL (origin plus optional path, no trailing
 * slash, as the config stores it). The result is checked to keep the origin and stay under the base path,
 * a second line of defence behind `parseProxyTarget`.
 */
export function upstreamTargetOf(baseUrl: string, target: Pick<ProxyTarget, 'path' | 'query'>): UpstreamTarget {
  const base = new URL(baseUrl);
  const basePath = base.pathname === '/' ? '' : base.pathname;
  const path = `${basePath}${target.path}` || '/';
  const resolved = new URL(`${path}${target.query}`, base.origin);
  const under = basePath === '' || resolved.pathname === basePath || resolved.pathname.startsWith(`${basePath}/`);
  if (resolved.origin !== base.origin || !under) throw new InvalidProxyPathError();
  return { origin: base.origin, path: `${path}${target.query}` };
}
