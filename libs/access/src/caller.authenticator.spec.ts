import { UnauthenticatedError } from './access.errors';
import type { ApiKeyAuthenticator } from './api-key.authenticator';
import type { Caller } from './caller';
import { CallerAuthenticator } from './caller.authenticator';
import { compileGrants } from './credential-grants';
import type { CertificateAuthenticator } from './certificate.authenticator';
import type { JwtAuthenticator } from './jwt.authenticator';
import type { PresentedCertificate } from './presented-certificate';

describe('CallerAuthenticator', () => {
  const caller = (kind: Caller['kind']): Caller => ({ id: kind, kind, credentials: [], grants: compileGrants([]), proxyGrants: compileGrants([]), roles: [] });
  const seen: string[] = [];
  const apiKeys = { authenticateKey: (key: string) => (seen.push(`key:${key}`), caller('api-key')) } as unknown as ApiKeyAuthenticator;
  const jwts = { authenticate: (token: string) => (seen.push(`jwt:${token}`), Promise.resolve(caller('jwt'))) } as unknown as JwtAuthenticator;
  const byCertificate: Caller = { id: 'api-key', kind: 'certificate', credentials: [], grants: compileGrants([]), proxyGrants: compileGrants([]), roles: [] };
  const certificates = { authenticate: (presented: PresentedCertificate) => (seen.push(`cert:${presented.fingerprint}`), byCertificate) } as unknown as CertificateAuthenticator;
  const authenticator = new CallerAuthenticator(apiKeys, jwts, certificates);
  const presented: PresentedCertificate = { verified: true, fingerprint: 'ab12', uriSans: [], dnsSans: [], subject: [] };

  beforeEach(() => {
    seen.length = 0;
  });

  it('sends JWT-shaped credentials to the JWT path, including unsigned ones', async () => {
    await expect(authenticator.authenticate('Bearer aGVhZGVy.cGF5bG9hZA.c2ln')).resolves.toMatchObject({ kind: 'jwt' });
    await authenticator.authenticate('bearer aGVhZGVy.cGF5bG9hZA.');
    expect(seen).toEqual(['jwt:aGVhZGVy.cGF5bG9hZA.c2ln', 'jwt:aGVhZGVy.cGF5bG9hZA.']);
  });

  it('sends everything else to the API-key path, synchronously', () => {
    expect(authenticator.authenticate('Bearer k3y+/=with.one-dot')).toMatchObject({ kind: 'api-key' });
    expect(authenticator.authenticate('Bearer a.b.c.d')).toMatchObject({ kind: 'api-key' });
    expect(seen).toEqual(['key:k3y+/=with.one-dot', 'key:a.b.c.d']);
  });

  it.each([
    ['no header', undefined, false],
    ['two headers', ['Bearer a', 'Bearer b'], true],
    ['another scheme', 'Basic abc', true],
    ['an empty bearer', 'Bearer ', true],
    ['a header over 8 KiB', `Bearer ${'a'.repeat(8 * 1024)}`, true],
  ])('refuses %s before any lookup', (_what, header, invalidToken) => {
    let thrown: unknown;
    try {
      void authenticator.authenticate(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnauthenticatedError);
    expect((thrown as UnauthenticatedError).headers['www-authenticate']?.includes('invalid_token')).toBe(invalidToken);
    expect(seen).toEqual([]);
  });

  it('lets a client certificate identify the caller without a header', () => {
    expect(authenticator.authenticate(undefined, presented)).toBe(byCertificate);
    expect(seen).toEqual(['cert:ab12']);
  });

  it('accepts a header naming the same caller as the certificate, and refuses one naming another', async () => {
    expect(authenticator.authenticate('Bearer same-caller-key', presented)).toBe(byCertificate);
    // The JWT stub answers caller 'jwt', not the certificate's 'api-key'.
    await expect(authenticator.authenticate('Bearer aGVhZGVy.cGF5bG9hZA.c2ln', presented)).rejects.toThrow(UnauthenticatedError);
  });
});
