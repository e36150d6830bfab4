import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { TlsEnvironment, TlsMaterial } from '@broker/config';

/** Bounds on TLS serving. */
export const TLS_SERVING = Object.freeze({
  /** TLS 1.2 for older clients; Node negotiates TLS 1.3 whenever the client has it. */
  minVersion: 'TLSv1.2' as const,
  /**
   * A handshake that has not finished by then is dropped, so stalled connections cannot pile up (Node's
   * default is 120 s). Ten seconds is generous for a handshake on a cluster network.
   */
  handshakeTimeoutMs: 10_000,
});

/** The part of the options a certificate rotation replaces (`server.setSecureContext`). */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  return { cert: material.cert, key: material.key, ...(material.ca ? { ca: material.ca } : {}), minVersion: TLS_SERVING.minVersion };
}

/**
 * The HTTPS server options for a TLS_CLIENT_AUTH mode. `optional` asks for a certificate but lets the handshake
 * finish without one (or with one that does not verify), so API keys and JWTs still work; the app then refuses
 * an unverified certificate with 401. `require` refuses the handshake without a verified certificate.
 */
export function tlsServerOptions(tls: TlsEnvironment, material: TlsMaterial, handshakeTimeoutMs: number = TLS_SERVING.handshakeTimeoutMs): TlsOptions {
  const common = { ...secureContextOptions(material), handshakeTimeout: handshakeTimeoutMs };
  switch (tls.clientAuth) {
    case 'none':
      return { ...common, requestCert: false };
    case 'optional':
      return { ...common, requestCert: true, rejectUnauthorized: false };
    case 'require':
      return { ...common, requestCert: true, rejectUnauthorized: true };
    default: {
      const unreachable: never = tls.clientAuth;
      return unreachable;
    }
  }
}
