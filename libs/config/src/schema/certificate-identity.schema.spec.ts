import { MESSAGES } from '../config.constants';
import { callerDoc, configDoc, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';
import { parseDistinguishedName } from './certificate-identity';
import { TLS_MESSAGES } from '../tls.constants';

const SPIFFE = 'spiffe://cluster.local/ns/billing/sa/billing-svc';
const certCaller = (certificate: unknown, overrides: Doc = {}): Doc => callerDoc({ apiKeySha256: undefined, certificate, ...overrides });

describe('callers[].certificate', () => {
  it('accepts a URI SAN, a glob, a DNS SAN and a subject, alone or as a list', () => {
    expect(parseDoc(configDoc({ callers: [certCaller({ uriSan: SPIFFE })] })).callers[0]?.certificates).toEqual([{ kind: 'uriSan', value: SPIFFE }]);
    const list = [{ uriSan: 'spiffe://cluster.local/ns/billing/*' }, { dnsSan: 'Billing.Internal' }, { subject: 'CN=billing-svc,O=Platform' }];
    expect(parseDoc(configDoc({ callers: [certCaller(list)] })).callers[0]?.certificates).toEqual([
      { kind: 'uriSan', value: 'spiffe://cluster.local/ns/billing/*' },
      { kind: 'dnsSan', value: 'billing.internal' },
      { kind: 'subject', value: 'CN=billing-svc,O=Platform' },
    ]);
  });

  it('is an identity on its own and beside an API key', () => {
    const caller = parseDoc(configDoc({ callers: [callerDoc({ certificate: { uriSan: SPIFFE } })] })).callers[0];
    expect(caller?.apiKeySha256).toBeDefined();
    expect(caller?.certificates).toHaveLength(1);
  });

  it.each([
    ['[0]', { uriSan: SPIFFE, dnsSan: 'billing.internal' }, TLS_MESSAGES.certificateIdentity],
    ['[0]', {}, TLS_MESSAGES.certificateIdentity],
    ['[0].uriSan', { uriSan: 'not a uri' }, TLS_MESSAGES.uriSan],
    ['[0].uriSan', { uriSan: 42 }, TLS_MESSAGES.uriSan],
    ['[0].dnsSan', { dnsSan: 'bad_name..internal' }, TLS_MESSAGES.dnsSan],
    ['[0].subject', { subject: 'billing-svc' }, TLS_MESSAGES.subject],
    ['[0].subject', { subject: 'CN=billing,=x' }, TLS_MESSAGES.subject],
    ['', [], TLS_MESSAGES.certificateList],
    ['', 'spiffe://x/y', TLS_MESSAGES.certificateList],
    ['[1].dnsSan', [{ uriSan: SPIFFE }, { dnsSan: '-' }], TLS_MESSAGES.dnsSan],
  ])('reports certificate%s for %j', (suffix, certificate, message) => {
    expect(issuesOf(configDoc({ callers: [certCaller(certificate)] }))).toEqual([{ path: `callers[0].certificate${suffix}`, message }]);
  });

  it('reports unknown keys inside an identity', () => {
    expect(issuesOf(configDoc({ callers: [certCaller({ uriSan: SPIFFE, fingerprint: 'ab' })] }))).toEqual([
      { path: 'callers[0].certificate[0].fingerprint', message: MESSAGES.unknownKey(['uriSan', 'dnsSan', 'subject']) },
    ]);
  });

  it('refuses one certificate identity on two callers, whatever the order of subject attributes', () => {
    const doc = configDoc({
      callers: [certCaller({ subject: 'CN=billing-svc,O=Platform' }), certCaller({ subject: 'O=Platform, CN=billing-svc' }, { id: 'again' })],
    });
    expect(issuesOf(doc)).toEqual([{ path: 'callers[1].certificate', message: TLS_MESSAGES.duplicateCertificate('callers[0]') }]);
  });
});

describe('parseDistinguishedName', () => {
  it('splits pairs, upper-cases attributes and honours escaped commas', () => {
    expect(parseDistinguishedName('cn=Billing\\, Inc,O=Platform')).toEqual([
      { attribute: 'CN', value: 'Billing, Inc' },
      { attribute: 'O', value: 'Platform' },
    ]);
    expect(parseDistinguishedName('CN=a,,O=b')).toBeUndefined();
    expect(parseDistinguishedName('')).toBeUndefined();
  });
});
