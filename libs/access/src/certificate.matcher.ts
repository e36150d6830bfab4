import type { CertificateIdentity, DistinguishedNamePart } from '@broker/config';
import { parseDistinguishedName } from '@broker/config';
import type { PresentedCertificate } from './presented-certificate';

/** Tells whether a presented certificate carries one configured identity. */
export type CertificateMatcher = (certificate: PresentedCertificate) => boolean;

/** A URI SAN glob: `*` matches any run of characters, `/` included (so `ns/billing/*` covers every account). */
function uriGlob(pattern: string): (uri: string) => boolean {
  if (!pattern.includes('*')) return (uri) => uri === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (uri) => regex.test(uri);
}

const partKey = (part: DistinguishedNamePart): string => `${part.attribute}=${part.value}`;

/** Same attributes and values, in any order; an extra attribute on either side is no match. */
function sameSubject(expected: readonly DistinguishedNamePart[]): (actual: readonly DistinguishedNamePart[]) => boolean {
  const want = expected.map(partKey).sort().join('\n');
  return (actual) => actual.map(partKey).sort().join('\n') === want;
}

/** Compiles a configured identity (validated at load) into a matcher. */
export function compileCertificateIdentity(identity: CertificateIdentity): CertificateMatcher {
  switch (identity.kind) {
    case 'uriSan': {
      const matches = uriGlob(identity.value);
      return (certificate) => certificate.uriSans.some(matches);
    }
    case 'dnsSan':
      return (certificate) => certificate.dnsSans.includes(identity.value);
    case 'subject': {
      const matches = sameSubject(parseDistinguishedName(identity.value) ?? []);
      return (certificate) => matches(certificate.subject);
    }
    default: {
      const unreachable: never = identity;
      return unreachable;
    }
  }
}
