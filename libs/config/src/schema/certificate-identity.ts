/** One client-certificate identity of a caller: a URI SAN (exact or glob), a DNS SAN, or the subject DN. */
export type CertificateIdentity =
  | { readonly kind: 'uriSan'; readonly value: string }
  | { readonly kind: 'dnsSan'; readonly value: string }
  | { readonly kind: 'subject'; readonly value: string };

/** One `attribute=value` pair of a distinguished name, attribute in upper case. */
export interface DistinguishedNamePart {
  readonly attribute: string;
  readonly value: string;
}

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9.-]*$/;

/**
 * Splits an RFC 4514-style DN (`CN=billing-svc,O=Platform`, `\,` escapes a comma) into its pairs;
 * undefined when it is not one. The order of the pairs does not matter to matching.
 */
export function parseDistinguishedName(text: string): DistinguishedNamePart[] | undefined {
  const parts: DistinguishedNamePart[] = [];
  let current = '';
  const flush = (): boolean => {
    const eq = current.indexOf('=');
    const attribute = current.slice(0, eq).trim();
    const value = current.slice(eq + 1).trim();
    if (eq <= 0 || !ATTRIBUTE.test(attribute) || value === '') return false;
    parts.push({ attribute: attribute.toUpperCase(), value });
    current = '';
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      current += text[++i] as string;
    } else if (char === ',') {
      if (!flush()) return undefined;
    } else {
      current += char;
    }
  }
  return flush() ? parts : undefined;
}
