import { z } from 'zod';
import { TLS_MESSAGES } from '../tls.constants';
import { type CertificateIdentity, parseDistinguishedName } from './certificate-identity';
import { errorFor, isMapping, mapping, text } from './field.schemas';

/** A URI with a scheme, printable, no spaces; `*` is a glob character (and cannot be in a real URI SAN anyway). */
const URI_SAN = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]{1,2040}$/;
const DNS_SAN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_SUBJECT_LENGTH = 1024;

const subject = z
  .string({ error: errorFor(TLS_MESSAGES.subject) })
  .max(MAX_SUBJECT_LENGTH, { error: TLS_MESSAGES.subject })
  .refine((value) => parseDistinguishedName(value) !== undefined, { error: TLS_MESSAGES.subject });

/** One client-certificate identity: exactly one of `uriSan` (exact or glob), `dnsSan` or `subject`. */
const identity = mapping({
  uriSan: text(URI_SAN, TLS_MESSAGES.uriSan).optional().meta({ description: "a URI SAN, e.g. spiffe://cluster.local/ns/billing/sa/billing-svc; '*' matches any characters, '/' included" }),
  dnsSan: text(DNS_SAN, TLS_MESSAGES.dnsSan).optional().meta({ description: 'a DNS SAN, compared case-insensitively' }),
  subject: subject.optional().meta({ description: 'the subject DN, e.g. "CN=billing-svc,O=Platform" (attribute order does not matter)' }),
})
  .check(
    z.superRefine(
      (entry, ctx) => {
        const present = [entry.uriSan, entry.dnsSan, entry.subject].filter((value) => value !== undefined).length;
        if (present !== 1) ctx.addIssue({ code: 'custom', message: TLS_MESSAGES.certificateIdentity, path: [] });
      },
      { when: (payload) => isMapping(payload.value) },
    ),
  )
  .transform(({ uriSan, dnsSan, subject: dn }): CertificateIdentity => {
    if (uriSan !== undefined) return { kind: 'uriSan', value: uriSan };
    // DNS names compare case-insensitively; kept in lower case so matching is a plain comparison.
    if (dnsSan !== undefined) return { kind: 'dnsSan', value: dnsSan.toLowerCase() };
    return { kind: 'subject', value: dn as string };
  });

/**
 * A caller's `certificate:`: one identity mapping, or a non-empty list of them (several certificates, one
 * caller). A single mapping is read as a list of one, so its issues are reported at `certificate[0]`.
 */
export const certificateIdentities = z
  .preprocess((value) => (isMapping(value) ? [value] : value), z.array(identity, { error: errorFor(TLS_MESSAGES.certificateList) }).min(1, { error: TLS_MESSAGES.certificateList }))
  .meta({ description: 'client certificates that are this caller: a mapping (uriSan, dnsSan or subject) or a list of them' });

/** The comparable form of a raw `certificate:` identity, for duplicate detection across callers. */
export function certificateKeysOf(raw: unknown): string[] {
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  return items.flatMap((item) => {
    if (!isMapping(item)) return [];
    const uri = item['uriSan'];
    const dns = item['dnsSan'];
    const dn = item['subject'];
    if (typeof uri === 'string') return [`uri\n${uri}`];
    if (typeof dns === 'string') return [`dns\n${dns.toLowerCase()}`];
    if (typeof dn !== 'string') return [];
    const parts = parseDistinguishedName(dn);
    return parts === undefined ? [] : [`dn\n${parts.map((p) => `${p.attribute}=${p.value}`).sort().join('\n')}`];
  });
}
