import type { IncomingHttpHeaders } from 'node:http';
import {
  DROPPED_REQUEST_HEADERS,
  DROPPED_RESPONSE_HEADERS,
  HOP_BY_HOP_HEADERS,
  UPSTREAM_REQUEST_ID_HEADER,
  UPSTREAM_STATUS_HEADER,
} from './proxy.constants';

type HeaderValue = string | string[] | undefined;

const NOTHING_LISTED: ReadonlySet<string> = new Set();

/** The header names a `Connection` header lists: they are hop-by-hop for this message only. */
function connectionListed(connection: HeaderValue): ReadonlySet<string> {
  // The usual values, answered without parsing: `keep-alive` is hop-by-hop anyway, `close` names no header.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return NOTHING_LISTED;
  const values = Array.isArray(connection) ? connection : connection === undefined ? [] : [connection];
  return new Set(values.flatMap((value) => value.split(',').map((name) => name.trim().toLowerCase())).filter((name) => name !== ''));
}

function isHopByHop(name: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP_HEADERS.has(name) || listed.has(name);
}

/**
 * The headers sent upstream: the caller's, without its credentials (`Authorization`, `Cookie`), `Proxy-*`,
 * hop-by-hop headers, `Host`, `Expect` and `Content-Length`; then the credential's injected headers
 * (`Authorization: Bearer <token>` and, for Adobe, `x-api-key` and `x-gw-ims-org-id`), which win over any
 * header of the same name the caller sent. `contentLength` is set when the body's size is known.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, injected: Readonly<Record<string, string>>, contentLength?: number): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith('proxy-') || isHopByHop(name, listed)) continue;
    if (Object.hasOwn(injected, name)) continue;
    headers[name] = value;
  }
  Object.assign(headers, injected);
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  return headers;
}

/**
 * The headers passed back to the caller: the upstream's, without hop-by-hop headers and `Set-Cookie`, plus
 * `x-broker-upstream-status`. The upstream's `x-request-id` becomes `x-upstream-request-id` when it differs
 * from the broker's request id, which `x-request-id` keeps (every broker line and audit event carries it).
 */
export function callerResponseHeaders(upstream: IncomingHttpHeaders, status: number, requestId: string): Record<string, string | string[]> {
  const listed = connectionListed(upstream.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name) || isHopByHop(name, listed)) continue;
    if (name === 'x-request-id') {
      if (value !== requestId) headers[UPSTREAM_REQUEST_ID_HEADER] = value;
      continue;
    }
    headers[name] = value;
  }
  headers[UPSTREAM_STATUS_HEADER] = String(status);
  return headers;
}
