import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { ConfigIssue, ConfigValidationError } from '../errors/config-validation.error';
import { IssueCollector } from '../errors/config.issues';
import type { TlsEnvironment } from './tls-environment.interface';
import { TLS_MESSAGES } from '../tls.constants';

/** Where the messages of `loadTlsMaterial` say they come from. */
export const TLS_FILES_SOURCE = 'TLS files';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The validated contents of the TLS files: what `tls.createSecureContext` and `server.setSecureContext` take. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  /** The serving certificate's SHA-256 fingerprint (lower-case hex) and expiry, for logs. */
  readonly fingerprint: string;
  readonly notAfter: string;
}

function read(file: string, variable: string, issues: IssueCollector): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    issues.add(variable, TLS_MESSAGES.unreadable(file, (error as NodeJS.ErrnoException).code ?? 'read failed'));
    return undefined;
  }
}

/** Every certificate of a PEM bundle, parsed; undefined (and an issue) when there is none or one is bad. */
function certificates(pem: Buffer, file: string, variable: string, issues: IssueCollector): X509Certificate[] | undefined {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    issues.add(variable, TLS_MESSAGES.noCertificate(file));
    return undefined;
  }
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    issues.add(variable, TLS_MESSAGES.badCertificate(file));
    return undefined;
  }
}

function privateKey(pem: Buffer, file: string, issues: IssueCollector): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    // Never the library's message: it may quote key bytes.
    issues.add('TLS_KEY_FILE', TLS_MESSAGES.badKey(file));
    return undefined;
  }
}

/**
 * Reads and checks the files `TLS_CERT_FILE`, `TLS_KEY_FILE` and `TLS_CLIENT_CA_FILE` name: PEM certificates
 * that parse, a serving certificate that has not expired, a key that belongs to it, and a set that the TLS
 * library accepts. Returns the material, or every problem found, each naming its file.
 */
export function readTlsMaterial(tls: TlsEnvironment, now = new Date()): { material: TlsMaterial } | { issues: readonly ConfigIssue[]; error: ConfigValidationError } {
  const issues = new IssueCollector();
  const cert = read(tls.certFile, 'TLS_CERT_FILE', issues);
  const key = read(tls.keyFile, 'TLS_KEY_FILE', issues);
  const ca = tls.clientCaFile === undefined ? undefined : read(tls.clientCaFile, 'TLS_CLIENT_CA_FILE', issues);
  const chain = cert && certificates(cert, tls.certFile, 'TLS_CERT_FILE', issues);
  const leaf = chain?.[0];
  const keyObject = key && privateKey(key, tls.keyFile, issues);
  if (ca && tls.clientCaFile !== undefined) certificates(ca, tls.clientCaFile, 'TLS_CLIENT_CA_FILE', issues);
  if (leaf && new Date(leaf.validTo).getTime() < now.getTime()) issues.add('TLS_CERT_FILE', TLS_MESSAGES.certificateExpired(tls.certFile, leaf.validTo));
  if (leaf && keyObject && !leaf.checkPrivateKey(keyObject)) issues.add('TLS_KEY_FILE', TLS_MESSAGES.keyMismatch(tls.certFile, tls.keyFile));
  if (issues.count === 0 && cert && key) {
    try {
      createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
    } catch (error) {
      issues.add('TLS_CERT_FILE', TLS_MESSAGES.rejectedByTls(tls.certFile, (error as NodeJS.ErrnoException).code ?? 'refused'));
    }
  }
  if (issues.count > 0 || !cert || !key || !leaf) {
    const error = issues.toError(TLS_FILES_SOURCE);
    return { issues: error.issues, error };
  }
  return { material: { cert, key, ...(ca ? { ca } : {}), fingerprint: leaf.fingerprint256.replaceAll(':', '').toLowerCase(), notAfter: leaf.validTo } };
}

/** `readTlsMaterial` for the boot path: throws `ConfigValidationError` (exit 78) naming every bad file. */
export function loadTlsMaterial(tls: TlsEnvironment): TlsMaterial {
  const result = readTlsMaterial(tls);
  if ('error' in result) throw result.error;
  return result.material;
}
