import { ConfigService, type BrokerConfig, type CallerConfig, type CertificateIdentity } from '@broker/config';
import { ACCESS_MESSAGES } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import { CertificateAuthenticator } from './certificate.authenticator';
import type { PresentedCertificate } from './presented-certificate';

const caller = (id: string, certificates: CertificateIdentity[]): CallerConfig => ({ id, credentials: ['*'], roles: [], proxy: [], certificates });
const configWith = (callers: CallerConfig[]): BrokerConfig => ({ callers, credentials: [], rateLimits: {} }) as unknown as BrokerConfig;
const cert = (overrides: Partial<PresentedCertificate>): PresentedCertificate => ({
  verified: true,
  fingerprint: Math.random().toString(16).slice(2),
  uriSans: [],
  dnsSans: [],
  subject: [],
  ...overrides,
});

function rejectionOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UnauthenticatedError) return error.message;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('CertificateAuthenticator', () => {
  const config = new ConfigService(
    configWith([
      caller('billing', [{ kind: 'uriSan', value: 'spiffe://cluster.local/ns/billing/*' }]),
      caller('exact', [{ kind: 'uriSan', value: 'spiffe://cluster.local/ns/reports/sa/exact' }]),
      caller('by-dns', [{ kind: 'dnsSan', value: 'batch.internal' }]),
      caller('by-subject', [
        { kind: 'subject', value: 'CN=legacy-svc,O=Platform' },
        { kind: 'dnsSan', value: 'legacy.internal' },
      ]),
    ]),
  );
  const authenticator = new CertificateAuthenticator(config);

  it('matches a URI SAN glob whose * spans slashes, and exact URIs only exactly', () => {
    expect(authenticator.authenticate(cert({ uriSans: ['spiffe://cluster.local/ns/billing/sa/billing-svc'] })).id).toBe('billing');
    expect(authenticator.authenticate(cert({ uriSans: ['spiffe://cluster.local/ns/reports/sa/exact'] })).id).toBe('exact');
    expect(rejectionOf(() => authenticator.authenticate(cert({ uriSans: ['spiffe://cluster.local/ns/reports/sa/exact2'] })))).toBe(ACCESS_MESSAGES.unknownCertificate);
    expect(rejectionOf(() => authenticator.authenticate(cert({ uriSans: ['spiffe://cluster.local/ns/billingX/sa/a'] })))).toBe(ACCESS_MESSAGES.unknownCertificate);
  });

  it('matches DNS SANs and subjects (any attribute order), and any of several identities', () => {
    expect(authenticator.authenticate(cert({ dnsSans: ['batch.internal'] })).id).toBe('by-dns');
    const subject = [
      { attribute: 'O', value: 'Platform' },
      { attribute: 'CN', value: 'legacy-svc' },
    ];
    expect(authenticator.authenticate(cert({ subject })).id).toBe('by-subject');
    expect(authenticator.authenticate(cert({ dnsSans: ['legacy.internal'] })).id).toBe('by-subject');
    expect(rejectionOf(() => authenticator.authenticate(cert({ subject: [...subject, { attribute: 'OU', value: 'x' }] })))).toBe(ACCESS_MESSAGES.unknownCertificate);
  });

  it('identifies with kind certificate', () => {
    expect(authenticator.authenticate(cert({ dnsSans: ['batch.internal'] })).kind).toBe('certificate');
  });

  it('refuses an unverified certificate, and one that matches two callers', () => {
    expect(rejectionOf(() => authenticator.authenticate(cert({ verified: false, dnsSans: ['batch.internal'] })))).toBe(ACCESS_MESSAGES.untrustedCertificate);
    expect(rejectionOf(() => authenticator.authenticate(cert({ dnsSans: ['batch.internal', 'legacy.internal'] })))).toBe(ACCESS_MESSAGES.ambiguousCertificate);
  });

  it('forgets cached matches when the config changes', () => {
    const presented = cert({ dnsSans: ['new.internal'] });
    expect(rejectionOf(() => authenticator.authenticate(presented))).toBe(ACCESS_MESSAGES.unknownCertificate);
    config.replace(configWith([caller('newcomer', [{ kind: 'dnsSan', value: 'new.internal' }])]));
    expect(authenticator.authenticate(presented).id).toBe('newcomer');
  });
});
