import type { TLS_CLIENT_AUTH_MODES } from '../tls.constants';

export type TlsClientAuth = (typeof TLS_CLIENT_AUTH_MODES)[number];

/** TLS_*: the serving port speaks HTTPS with this certificate chain and key. */
export interface TlsEnvironment {
  readonly certFile: string;
  readonly keyFile: string;
  /** TLS_CLIENT_CA_FILE: CAs whose client certificates identify callers; set whenever `clientAuth` is not `none`. */
  readonly clientCaFile?: string;
  /** TLS_CLIENT_AUTH (default `none`). */
  readonly clientAuth: TlsClientAuth;
}

/**
 * The standard proxy variables, as Node's proxy support reads them (`http.setGlobalProxyFromEnv`,
 * `http.Agent({ proxyEnv })`); the lower-case spellings are folded into these.
 */
export interface OutboundProxyEnvironment {
  readonly HTTPS_PROXY?: string;
  readonly HTTP_PROXY?: string;
  readonly NO_PROXY?: string;
}
