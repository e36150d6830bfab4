import { ALL_CREDENTIALS, ID_PATTERN, JWT_CLAIM_PATTERN, MESSAGES, SHA256_HEX_PATTERN } from '../config.constants';
import { childPath, type IssueCollector } from '../errors/config.issues';
import { isMapping } from '../schema/field.schemas';
import { certificateKeysOf } from '../schema/certificate-identity.schema';
import { TLS_MESSAGES } from '../tls.constants';

// These rules look at the raw entries rather than the parsed ones, so that an entry with an
// unrelated problem (say a bad scope) still takes part and no issue hides another.

type Entry = { readonly index: number; readonly node: Readonly<Record<string, unknown>> };

function entries(list: unknown): Entry[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((node: unknown, index) => (isMapping(node) ? [{ index, node }] : []));
}

function validId(node: Readonly<Record<string, unknown>>): string | undefined {
  const id = node['id'];
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : undefined;
}

/** Reports a second use of the same value of `key`; `normalise` maps a valid value to its comparison form. */
function reportDuplicates(
  list: string,
  all: Entry[],
  key: string,
  normalise: (node: Readonly<Record<string, unknown>>) => string | undefined,
  message: (value: string, firstPath: string) => string,
  issues: IssueCollector,
): void {
  const first = new Map<string, number>();
  for (const { index, node } of all) {
    const value = normalise(node);
    if (value === undefined) continue;
    const seen = first.get(value);
    if (seen === undefined) first.set(value, index);
    else issues.add(childPath(childPath(list, index), key), message(value, childPath(list, seen)));
  }
}

/** Rules spanning several entries: unique ids, unique API keys, and callers naming only configured credentials. */
export function checkCrossReferences(rawCredentials: unknown, rawCallers: unknown, issues: IssueCollector): void {
  const credentials = entries(rawCredentials);
  const callers = entries(rawCallers);
  reportDuplicates('credentials', credentials, 'id', validId, MESSAGES.duplicateId, issues);
  reportDuplicates('callers', callers, 'id', validId, MESSAGES.duplicateId, issues);
  reportDuplicates(
    'callers',
    callers,
    'apiKeySha256',
    (node) => {
      const hash = node['apiKeySha256'];
      return typeof hash === 'string' && SHA256_HEX_PATTERN.test(hash) ? hash.toLowerCase() : undefined;
    },
    (_hash, firstPath) => MESSAGES.duplicateApiKey(firstPath),
    issues,
  );

  reportCertificateDuplicates(callers, issues);

  // With a malformed credentials section, every reference would look unknown: that is noise, not news.
  if (rawCredentials !== undefined && !Array.isArray(rawCredentials)) return;
  const known = new Set(credentials.map((e) => validId(e.node)).filter((id) => id !== undefined));
  for (const { index, node } of callers) {
    const refs = node['credentials'];
    if (!Array.isArray(refs)) continue;
    const path = childPath(childPath('callers', index), 'credentials');
    if (refs.length > 1 && refs.includes(ALL_CREDENTIALS)) issues.add(path, MESSAGES.wildcardNotAlone);
    refs.forEach((ref: unknown, i) => {
      if (typeof ref === 'string' && ID_PATTERN.test(ref) && !known.has(ref)) {
        issues.add(childPath(path, i), MESSAGES.unknownCredential(ref));
      }
    });
  }
}

/** Rules spanning issuers and JWT callers: unique issuers, and one caller per issuer and subject. */
export function checkJwtCallers(rawIssuers: unknown, rawCallers: unknown, issues: IssueCollector): void {
  const issuers = entries(rawIssuers);
  const claim = (value: unknown): string | undefined => (typeof value === 'string' && JWT_CLAIM_PATTERN.test(value) ? value : undefined);
  reportDuplicates('issuers', issuers, 'issuer', (node) => claim(node['issuer']), (_issuer, firstPath) => MESSAGES.duplicateIssuer(firstPath), issues);
  const names = issuers.map((e) => claim(e.node['issuer']));
  // A caller without `issuer:` belongs to the only issuer; with several, the caller rule reports it.
  const only = names.length === 1 ? names[0] : undefined;
  reportDuplicates(
    'callers',
    entries(rawCallers),
    'jwtSubject',
    (node) => {
      const subject = claim(node['jwtSubject']);
      const issuer = node['issuer'] === undefined ? only : claim(node['issuer']);
      return subject === undefined || issuer === undefined ? undefined : `${issuer}\n${subject}`;
    },
    (_key, firstPath) => MESSAGES.duplicateJwtSubject(firstPath),
    issues,
  );
}

/** A certificate identity may name one caller only: otherwise which caller a certificate is would depend on order. */
function reportCertificateDuplicates(callers: readonly Entry[], issues: IssueCollector): void {
  const first = new Map<string, string>();
  for (const { index, node } of callers) {
    const path = childPath(childPath('callers', index), 'certificate');
    for (const key of certificateKeysOf(node['certificate'])) {
      const seen = first.get(key);
      if (seen === undefined) first.set(key, childPath('callers', index));
      else if (seen !== childPath('callers', index)) issues.add(path, TLS_MESSAGES.duplicateCertificate(seen));
    }
  }
}
