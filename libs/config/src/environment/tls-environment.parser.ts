import { MESSAGES } from '../config.constants';
import type { IssueCollector } from '../errors/config.issues';
import { parsePort } from './redis-environment.parser';
import type { OutboundProxyEnvironment, TlsClientAuth, TlsEnvironment } from './tls-environment.interface';
import { TLS_CLIENT_AUTH_MODES, TLS_MESSAGES } from '../tls.constants';

type Lookup = (name: string) => string | undefined;

/** The variables `parseTransportEnvironment` reads (upper-case proxy spellings only; see `PROXY_VARIABLES`). */
export const TRANSPORT_ENV_VARIABLES = Object.freeze([
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'TLS_CLIENT_CA_FILE',
  'TLS_CLIENT_AUTH',
  'HEALTH_PORT',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
] as const);

export interface TransportEnvironment {
  readonly tls?: TlsEnvironment;
  readonly healthPort?: number;
  readonly outboundProxy?: OutboundProxyEnvironment;
}

function isClientAuth(value: string): value is TlsClientAuth {
  return (TLS_CLIENT_AUTH_MODES as readonly string[]).includes(value);
}

function filePath(get: Lookup, name: string, issues: IssueCollector): string | undefined {
  const path = get(name);
  if (path?.includes('\0')) issues.add(name, TLS_MESSAGES.filePath);
  return path;
}

function parseTls(get: Lookup, issues: IssueCollector): TlsEnvironment | undefined {
  const certFile = filePath(get, 'TLS_CERT_FILE', issues);
  const keyFile = filePath(get, 'TLS_KEY_FILE', issues);
  const clientCaFile = filePath(get, 'TLS_CLIENT_CA_FILE', issues);
  const modeText = (get('TLS_CLIENT_AUTH') ?? 'none').toLowerCase();
  const clientAuth = isClientAuth(modeText) ? modeText : undefined;
  if (clientAuth === undefined) issues.add('TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuth);
  if (certFile === undefined) {
    if (keyFile !== undefined) issues.add('TLS_KEY_FILE', TLS_MESSAGES.keyWithoutCert);
    if (clientCaFile !== undefined) issues.add('TLS_CLIENT_CA_FILE', TLS_MESSAGES.caWithoutCert);
    if (clientAuth !== undefined && clientAuth !== 'none') issues.add('TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuthWithoutCert);
    return undefined;
  }
  if (keyFile === undefined) issues.add('TLS_CERT_FILE', TLS_MESSAGES.certWithoutKey);
  if (clientAuth !== undefined && clientAuth !== 'none' && clientCaFile === undefined) issues.add('TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuthWithoutCa);
  if (keyFile === undefined || clientAuth === undefined) return undefined;
  return { certFile, keyFile, clientAuth, ...(clientCaFile === undefined ? {} : { clientCaFile }) };
}

function proxyUrl(get: Lookup, name: 'HTTPS_PROXY' | 'HTTP_PROXY', issues: IssueCollector): string | undefined {
  const lower = name.toLowerCase();
  const text = get(name) ?? get(lower);
  if (text === undefined) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    // The value may carry proxy credentials, so the message does not quote it.
    issues.add(get(name) === undefined ? lower : name, TLS_MESSAGES.proxyUrl);
    return undefined;
  }
  return text;
}

function parseOutboundProxy(get: Lookup, issues: IssueCollector): OutboundProxyEnvironment | undefined {
  const https = proxyUrl(get, 'HTTPS_PROXY', issues);
  const http = proxyUrl(get, 'HTTP_PROXY', issues);
  const noProxy = get('NO_PROXY') ?? get('no_proxy');
  if (https === undefined && http === undefined) return undefined;
  return { ...(https === undefined ? {} : { HTTPS_PROXY: https }), ...(http === undefined ? {} : { HTTP_PROXY: http }), ...(noProxy === undefined ? {} : { NO_PROXY: noProxy }) };
}

/**
 * TLS serving (`TLS_*`), the plain-HTTP health port (`HEALTH_PORT`) and the outbound proxy (`HTTPS_PROXY`,
 * `HTTP_PROXY`, `NO_PROXY`); records an issue per bad variable. The files are only named here: their
 * contents are checked by `loadTlsMaterial`.
 */
export function parseTransportEnvironment(get: Lookup, port: number | undefined, issues: IssueCollector): TransportEnvironment {
  const tls = parseTls(get, issues);
  const healthText = get('HEALTH_PORT');
  const healthPort = healthText === undefined ? undefined : parsePort(healthText);
  if (healthText !== undefined && healthPort === undefined) issues.add('HEALTH_PORT', MESSAGES.port);
  if (healthPort !== undefined && healthPort === port) issues.add('HEALTH_PORT', TLS_MESSAGES.healthPortSameAsPort);
  const outboundProxy = parseOutboundProxy(get, issues);
  return { ...(tls && { tls }), ...(healthPort !== undefined && { healthPort }), ...(outboundProxy && { outboundProxy }) };
}
