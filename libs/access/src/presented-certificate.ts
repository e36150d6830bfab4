import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { DistinguishedNamePart } from '@broker/config';

/** What a caller's client certificate says about it, read once per TLS connection. */
export interface PresentedCertificate {
  /** It chains to a CA of TLS_CLIENT_CA_FILE (`socket.authorized`). */
  readonly verified: boolean;
  /** SHA-256 of the DER certificate, lower-case hex: what audit lines carry instead of the certificate. */
  readonly fingerprint: string;
  readonly uriSans: readonly string[];
  /** Lower case, as DNS names compare. */
  readonly dnsSans: readonly string[];
  readonly subject: readonly DistinguishedNamePart[];
}

/** `subjectAltName` entries as Node writes them: `DNS:a, URI:b`, values with special characters JSON-quoted. */
const SAN_ENTRY = /(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;

function sansOf(certificate: X509Certificate): { uriSans: string[]; dnsSans: string[] } {
  const uriSans: string[] = [];
  const dnsSans: string[] = [];
  for (const [, type, raw] of (certificate.subjectAltName ?? '').matchAll(SAN_ENTRY)) {
    let value = raw ?? '';
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    if (type === 'URI') uriSans.push(value);
    else if (type === 'DNS') dnsSans.push(value.toLowerCase());
  }
  return { uriSans, dnsSans };
}

/** Node writes the subject one `attribute=value` per line. */
function subjectOf(certificate: X509Certificate): DistinguishedNamePart[] {
  return certificate.subject.split('\n').flatMap((line) => {
    const eq = line.indexOf('=');
    return eq <= 0 ? [] : [{ attribute: line.slice(0, eq).trim().toUpperCase(), value: line.slice(eq + 1).trim() }];
  });
}

/** The parsed form of a peer certificate. */
export function describeCertificate(certificate: X509Certificate, verified: boolean): PresentedCertificate {
  return {
    verified,
    fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    ...sansOf(certificate),
    subject: subjectOf(certificate),
  };
}

// The certificate of a connection never changes, and keep-alive connections carry many requests.
const byConnection = new WeakMap<object, PresentedCertificate | null>();

function isTlsSocket(socket: object): socket is TLSSocket {
  return 'encrypted' in socket && (socket as TLSSocket).encrypted === true;
}

/** The client certificate of the connection `socket`, or undefined (plain HTTP, or none was sent). */
export function presentedCertificateOf(socket: object): PresentedCertificate | undefined {
  const known = byConnection.get(socket);
  if (known !== undefined) return known ?? undefined;
  let presented: PresentedCertificate | null = null;
  if (isTlsSocket(socket)) {
    const peer = socket.getPeerX509Certificate();
    if (peer !== undefined) presented = describeCertificate(peer, socket.authorized);
  }
  byConnection.set(socket, presented);
  return presented ?? undefined;
}
