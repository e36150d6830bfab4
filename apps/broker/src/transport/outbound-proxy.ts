import * as http from 'node:http';
import type { OutboundProxyEnvironment } from '@broker/config';
import type { RootLogger } from '@broker/observability';

/** Userinfo in a proxy URL is a credential: logs show the proxy's origin only. */
function originOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : new URL(url).origin;
}

/**
 * Routes every outbound call made with `fetch` or `http(s).request` on the global agents (identity providers,
 * JWKS, the Adobe console) through HTTPS_PROXY / HTTP_PROXY except for NO_PROXY hosts, using Node's built-in
 * proxy support, the same as NODE_USE_ENV_PROXY=1 would. The AWS SDK has its own agent (see
 * AwsSecretsManagerClient). NODE_EXTRA_CA_CERTS needs nothing here: Node adds it to every TLS client's trust.
 */
export function applyOutboundProxy(proxy: OutboundProxyEnvironment | undefined, logger: RootLogger): void {
  if (proxy === undefined) return;
  // Node 24.14+; the engines range still admits Node 22, where NODE_USE_ENV_PROXY=1 does the same at startup.
  if (typeof http.setGlobalProxyFromEnv !== 'function') {
    logger.warn('this Node has no http.setGlobalProxyFromEnv: set NODE_USE_ENV_PROXY=1 for fetch to use HTTPS_PROXY');
    return;
  }
  http.setGlobalProxyFromEnv({ ...proxy });
  logger.info({ https_proxy: originOf(proxy.HTTPS_PROXY), http_proxy: originOf(proxy.HTTP_PROXY), no_proxy: proxy.NO_PROXY }, 'outbound calls go through the proxy');
}
