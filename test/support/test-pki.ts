/**
 * A throwaway PKI for TLS tests, made with the openssl CLI in a temp dir: a CA, and server and client
 * certificates with DNS, IP and URI (SPIFFE-style) SANs issued by it. Nothing is committed; every run makes
 * its own keys. `opensslMissing()` names why a test must skip on a machine without openssl.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as files and as PEM text. */
export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the DER certificate, lower-case hex without colons (the form audit lines carry). */
  readonly fingerprint: string;
}

export interface IssueOptions {
  /** The subject, e.g. `/CN=billing-svc/O=Platform`. */
  readonly subject: string;
  readonly dnsSans?: readonly string[];
  readonly ipSans?: readonly string[];
  readonly uriSans?: readonly string[];
  /** Days of validity (default 2); expiry is tested by moving the clock, since openssl 3.0 cannot back-date. */
  readonly days?: number;
}

/** Why TLS tests cannot run here, or undefined when the openssl CLI is available. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the openssl CLI is not installed (bash .ci/run installs it)';
  }
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();
}

/** A test certificate authority in its own temp dir; `dispose()` removes every file it made. */
export class TestCa {
  readonly certFile: string;
  readonly cert: string;
  private readonly keyFile: string;
  private serial = 1;

  private constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.certFile = join(dir, `${name}-ca.pem`);
    this.keyFile = join(dir, `${name}-ca.key`);
    openssl(['req', '-x509', ...EC_KEY, '-keyout', this.keyFile, '-out', this.certFile, '-days', '3', '-subj', `/CN=${name} Test CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    this.cert = readFileSync(this.certFile, 'utf8');
  }

  /** A new CA in a new temp dir. */
  static create(name = 'broker'): TestCa {
    return new TestCa(mkdtempSync(join(tmpdir(), 'test-pki-')), name);
  }

  /** A certificate for servers and clients alike (both extended key usages), signed by this CA. */
  issue(fileStem: string, options: IssueOptions): IssuedCertificate {
    const keyFile = join(this.dir, `${fileStem}.key`);
    const certFile = join(this.dir, `${fileStem}.pem`);
    const csr = join(this.dir, `${fileStem}.csr`);
    const ext = join(this.dir, `${fileStem}.ext`);
    const sans = [
      ...(options.dnsSans ?? []).map((name) => `DNS:${name}`),
      ...(options.ipSans ?? []).map((ip) => `IP:${ip}`),
      ...(options.uriSans ?? []).map((uri) => `URI:${uri}`),
    ];
    writeFileSync(
      ext,
      ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth', ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : [])].join('\n'),
    );
    openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csr, '-subj', options.subject]);
    const days = String(options.days ?? 2);
    openssl(['x509', '-req', '-in', csr, '-CA', this.certFile, '-CAkey', this.keyFile, '-set_serial', String(this.serial++), '-out', certFile, '-extfile', ext, '-days', days]);
    const cert = readFileSync(certFile, 'utf8');
    return { certFile, keyFile, cert, key: readFileSync(keyFile, 'utf8'), fingerprint: fingerprintOf(cert) };
  }

  /** A server certificate for the loopback names tests connect to. */
  issueServer(fileStem = 'server'): IssuedCertificate {
    return this.issue(fileStem, { subject: '/CN=localhost', dnsSans: ['localhost'], ipSans: ['127.0.0.1'] });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
