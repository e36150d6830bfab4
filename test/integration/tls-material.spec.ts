import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTlsMaterial, readTlsMaterial, ConfigValidationError, type TlsEnvironment } from '@broker/config';
import { type IssuedCertificate, opensslMissing, TestCa } from '../support/test-pki';

const skipReason = opensslMissing();
// Skipped, with the reason printed, where the openssl CLI that makes the test certificates is missing.
const describeTls = skipReason === undefined ? describe : describe.skip;
if (skipReason !== undefined) console.warn(`TLS material tests skipped: ${skipReason}`);

describeTls('readTlsMaterial / loadTlsMaterial', () => {
  let ca: TestCa;
  let server: IssuedCertificate;
  let other: IssuedCertificate;
  const tls = (overrides: Partial<TlsEnvironment> = {}): TlsEnvironment => ({ certFile: server.certFile, keyFile: server.keyFile, clientAuth: 'none', ...overrides });
  const messagesOf = (env: TlsEnvironment, now?: Date): string[] => {
    const result = readTlsMaterial(env, now);
    return 'issues' in result ? result.issues.map((issue) => `${issue.path}: ${issue.message}`) : [];
  };

  beforeAll(() => {
    ca = TestCa.create('material');
    server = ca.issueServer('server');
    other = ca.issueServer('other');
  });
  afterAll(() => ca?.dispose());

  it('loads a valid pair and CA bundle, with the serving fingerprint', () => {
    const material = loadTlsMaterial(tls({ clientCaFile: ca.certFile, clientAuth: 'optional' }));
    expect(material.fingerprint).toBe(server.fingerprint);
    expect(material.ca?.toString()).toBe(ca.cert);
  });

  it('names every bad file at once, never quoting its content', () => {
    const garbage = join(ca.dir, 'garbage.pem');
    writeFileSync(garbage, 'not pem at all');
    const messages = messagesOf(tls({ certFile: garbage, keyFile: join(ca.dir, 'absent.key'), clientCaFile: garbage }));
    expect(messages).toEqual([
      `TLS_KEY_FILE: cannot read ${join(ca.dir, 'absent.key')}: ENOENT`,
      `TLS_CERT_FILE: ${garbage} holds no PEM certificate`,
      `TLS_CLIENT_CA_FILE: ${garbage} holds no PEM certificate`,
    ]);
  });

  it('refuses a key that belongs to another certificate, and a key file that holds no key', () => {
    expect(messagesOf(tls({ keyFile: other.keyFile }))).toEqual([`TLS_KEY_FILE: the key in ${other.keyFile} does not belong to the certificate in ${server.certFile}`]);
    expect(messagesOf(tls({ keyFile: server.certFile }))).toEqual([`TLS_KEY_FILE: ${server.certFile} holds no valid PEM private key`]);
  });

  it('refuses an expired serving certificate', () => {
    const later = new Date(Date.now() + 30 * 86_400_000);
    expect(messagesOf(tls(), later)).toEqual([expect.stringMatching(new RegExp(`^TLS_CERT_FILE: the certificate in ${server.certFile} expired on `))]);
  });

  it('throws ConfigValidationError (exit 78 at boot) from loadTlsMaterial', () => {
    expect(() => loadTlsMaterial(tls({ keyFile: other.keyFile }))).toThrow(ConfigValidationError);
  });
});
