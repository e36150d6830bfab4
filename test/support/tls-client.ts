/** HTTPS requests for TLS tests, with a chosen trust anchor and optional client certificate. */
import { X509Certificate } from 'node:crypto';
import { type Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

// A kept-alive socket may no longer expose its peer certificate on a later request; remember it from the first.
const fingerprints = new WeakMap<TLSSocket, string>();

export interface TlsClientOptions {
  /** PEM of the CA the server certificate must chain to. */
  readonly ca: string;
  /** A client certificate and key (PEM). */
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default: a new connection per request, so a rotated server certificate is seen at once. */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

export interface TlsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly body: Record<string, unknown>;
  /** SHA-256 (hex) of the certificate the server presented. */
  readonly serverFingerprint: string;
  /** The client's local port: equal for two requests on one kept-alive connection. */
  readonly localPort: number;
}

/** GET `url`; rejects on a TLS or network failure (a refused handshake, say). */
export async function httpsGet(url: string, options: TlsClientOptions): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: options.ca,
        ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
        headers: options.headers ?? {},
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        const peer = socket.getPeerX509Certificate();
        const localPort = socket.localPort ?? 0;
        const serverFingerprint = peer === undefined ? (fingerprints.get(socket) ?? '') : new X509Certificate(peer.raw).fingerprint256.replaceAll(':', '').toLowerCase();
        fingerprints.set(socket, serverFingerprint);
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON: the text is there
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body, serverFingerprint, localPort });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
