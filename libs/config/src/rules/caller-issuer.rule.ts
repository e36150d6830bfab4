import { JWT_CLAIM_PATTERN, MESSAGES } from '../config.constants';
import { childPath, type IssueCollector } from '../errors/config.issues';
import { isMapping } from '../schema/field.schemas';

/**
 * The `issuer` values of a raw `issuers:` section; undefined when the section or one of its entries is
 * unreadable (that is reported on its own, and guessing here would only add noise).
 */
export function trustedIssuerNames(raw: unknown): readonly string[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return undefined;
  const names: string[] = [];
  for (const node of raw as unknown[]) {
    const issuer = isMapping(node) ? node['issuer'] : undefined;
    if (typeof issuer !== 'string' || !JWT_CLAIM_PATTERN.test(issuer)) return undefined;
    names.push(issuer);
  }
  return names;
}

type Resolution = { readonly issuer: string } | { readonly problem: string; readonly at: 'issuer' | 'jwtSubject' } | undefined;

/**
 * The issuer a `jwtSubject` caller belongs to: the one it names, or the only one configured. With several
 * issuers a subject must name its own, since `system:serviceaccount:ns:name` is the same text in every
 * cluster. Undefined when there is nothing to say (a malformed name is the schema's to report).
 */
export function resolveIssuer(named: unknown, trusted: readonly string[] | undefined): Resolution {
  if (named !== undefined) {
    if (typeof named !== 'string' || !JWT_CLAIM_PATTERN.test(named)) return undefined;
    if (trusted !== undefined && !trusted.includes(named)) return { problem: MESSAGES.unknownIssuer(named), at: 'issuer' };
    return { issuer: named };
  }
  if (trusted === undefined) return undefined;
  if (trusted.length === 1) return { issuer: trusted[0] as string };
  return trusted.length === 0 ? { problem: MESSAGES.callerNeedsIssuer, at: 'jwtSubject' } : { problem: MESSAGES.callerAmbiguousIssuer, at: 'issuer' };
}

/** Rule: every JWT caller belongs to exactly one trusted issuer. */
export function checkCallerIssuers(rawIssuers: unknown, rawCallers: unknown, issues: IssueCollector): void {
  if (!Array.isArray(rawCallers)) return;
  const trusted = trustedIssuerNames(rawIssuers);
  rawCallers.forEach((node: unknown, index) => {
    // Callers without jwtSubject are the caller schema's to report (an `issuer:` alone, or no identity).
    if (!isMapping(node) || node['jwtSubject'] === undefined) return;
    const resolved = resolveIssuer(node['issuer'], trusted);
    if (resolved !== undefined && 'problem' in resolved) issues.add(childPath(childPath('callers', index), resolved.at), resolved.problem);
  });
}
