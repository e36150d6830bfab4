import { isMapping, MappingReader } from './mapping.reader';
import { childPath } from './config.issues';
import type { Rule } from './field.rules';
import { type CertificateIdentity, parseDistinguishedName } from './certificate-identity';
import { TLS_MESSAGES } from './tls.constants';

const IDENTITY_KEYS = ['uriSan', 'dnsSan', 'subject'] as const;
/** A URI with a scheme, printable, no spaces; `*` is a glob character (and cannot be in a real URI SAN anyway). */
const URI_SAN = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]{1,2040}$/;
const DNS_SAN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_SUBJECT_LENGTH = 1024;

const identity: Rule<CertificateIdentity> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(IDENTITY_KEYS);
  const present = IDENTITY_KEYS.filter((key) => r.raw(key) !== undefined);
  if (present.length !== 1) {
    issues.add(path, TLS_MESSAGES.certificateIdentity);
    return undefined;
  }
  const kind = present[0] as (typeof IDENTITY_KEYS)[number];
  const text = r.raw(kind);
  switch (kind) {
    case 'uriSan':
      if (typeof text === 'string' && URI_SAN.test(text)) return { kind, value: text };
      issues.add(r.pathOf(kind), TLS_MESSAGES.uriSan);
      return undefined;
    case 'dnsSan':
      // DNS names compare case-insensitively; kept in lower case so matching is a plain comparison.
      if (typeof text === 'string' && DNS_SAN.test(text)) return { kind, value: text.toLowerCase() };
      issues.add(r.pathOf(kind), TLS_MESSAGES.dnsSan);
      return undefined;
    case 'subject':
      if (typeof text === 'string' && text.length <= MAX_SUBJECT_LENGTH && parseDistinguishedName(text) !== undefined) return { kind, value: text };
      issues.add(r.pathOf(kind), TLS_MESSAGES.subject);
      return undefined;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
};

/** Rule for a caller's `certificate:`: one identity mapping, or a non-empty list of them (several certificates, one caller). */
export const certificateIdentities: Rule<CertificateIdentity[]> = (value, path, issues) => {
  if (isMapping(value)) {
    const one = identity(value, path, issues);
    return one === undefined ? undefined : [one];
  }
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(path, TLS_MESSAGES.certificateList);
    return undefined;
  }
  const before = issues.count;
  const all = value.flatMap((item: unknown, index) => identity(item, childPath(path, index), issues) ?? []);
  return issues.count === before ? all : undefined;
};

/** The comparable form of a raw `certificate:` identity, for duplicate detection across callers. */
export function certificateKeysOf(raw: unknown): string[] {
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  return items.flatMap((item) => {
    if (!isMapping(item)) return [];
    const uri = item['uriSan'];
    const dns = item['dnsSan'];
    const subject = item['subject'];
    if (typeof uri === 'string') return [`uri\n${uri}`];
    if (typeof dns === 'string') return [`dns\n${dns.toLowerCase()}`];
    if (typeof subject !== 'string') return [];
    const parts = parseDistinguishedName(subject);
    return parts === undefined ? [] : [`dn\n${parts.map((p) => `${p.attribute}=${p.value}`).sort().join('\n')}`];
  });
}
