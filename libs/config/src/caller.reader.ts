import { ALL_CREDENTIALS, CREDENTIAL_GLOB_PATTERN, ID_PATTERN, JWT_CLAIM_PATTERN, MESSAGES, SHA256_HEX_PATTERN } from './config.constants';
import type { CallerConfig } from './broker-config.interface';
import { listOf, matching, oneOf, type Rule } from './field.rules';
import { MappingReader } from './mapping.reader';
import { proxyGrants } from './proxy.reader';
import { rateLimit } from './rate-limit.reader';

const CALLER_KEYS = ['id', 'apiKeySha256', 'jwtSubject', 'issuer', 'credentials', 'roles', 'rateLimit', 'proxy'] as const;

/** Roles beyond fetching tokens; `admin` opens the /admin endpoints. */
export const CALLER_ROLES = ['admin'] as const;

/** A credential id, a glob such as `aep-*`, or `*` alone. Whether exact ids exist is a cross-reference rule. */
const credentialGrant: Rule<string> = (value, path, issues) =>
  value === ALL_CREDENTIALS ? value : matching(CREDENTIAL_GLOB_PATTERN, MESSAGES.credentialGrant)(value, path, issues);

type Identity = Pick<CallerConfig, 'apiKeySha256' | 'jwt'>;

/**
 * The issuer a `jwtSubject` caller belongs to: the one it names, or the only one configured. With several
 * issuers a subject must name its own, since `system:serviceaccount:ns:name` is the same text in every cluster.
 */
function resolveIssuer(r: MappingReader, trusted: readonly string[] | undefined): string | undefined {
  const named = r.raw('issuer');
  if (named !== undefined) {
    const issuer = matching(JWT_CLAIM_PATTERN, MESSAGES.jwtClaim)(named, r.pathOf('issuer'), r.issues);
    if (issuer !== undefined && trusted !== undefined && !trusted.includes(issuer)) {
      r.issues.add(r.pathOf('issuer'), MESSAGES.unknownIssuer(issuer));
      return undefined;
    }
    return issuer;
  }
  // A broken issuers: section has been reported already; guessing here would only add noise.
  if (trusted === undefined) return undefined;
  if (trusted.length === 1) return trusted[0];
  r.issues.add(trusted.length === 0 ? r.pathOf('jwtSubject') : r.pathOf('issuer'), trusted.length === 0 ? MESSAGES.callerNeedsIssuer : MESSAGES.callerAmbiguousIssuer);
  return undefined;
}

function readIdentity(r: MappingReader, trusted: readonly string[] | undefined): Identity | undefined {
  const hasKey = r.raw('apiKeySha256') !== undefined;
  if (hasKey === (r.raw('jwtSubject') !== undefined)) {
    r.issues.add(r.path, MESSAGES.callerIdentity);
    return undefined;
  }
  if (hasKey) {
    if (r.raw('issuer') !== undefined) r.issues.add(r.pathOf('issuer'), MESSAGES.callerIssuerWithoutJwt);
    const hash = r.required('apiKeySha256', matching(SHA256_HEX_PATTERN, MESSAGES.apiKeySha256));
    return hash === undefined ? undefined : { apiKeySha256: hash.toLowerCase() };
  }
  const subject = r.required('jwtSubject', matching(JWT_CLAIM_PATTERN, MESSAGES.jwtClaim));
  const issuer = resolveIssuer(r, trusted);
  return subject === undefined || issuer === undefined ? undefined : { jwt: { issuer, subject } };
}

/**
 * Rule for one entry of `callers:`, given the `issuer` values of `issuers:` (undefined when that section is
 * unreadable). Whether exact credential ids exist is checked by the cross-reference rules.
 */
export function caller(trustedIssuers: readonly string[] | undefined): Rule<CallerConfig> {
  return (value, path, issues) => {
    const r = MappingReader.open(value, path, issues);
    if (r === undefined) return undefined;
    r.rejectUnknownKeys(CALLER_KEYS);
    const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
    const identity = readIdentity(r, trustedIssuers);
    const roles = r.optional('roles', listOf(oneOf(CALLER_ROLES), { unique: true }), []);
    const proxy = r.optional('proxy', proxyGrants, []);
    // An admin-only caller (operators, CI) needs no credential, nor does a proxy-only one (it never holds a
    // token); everyone else must be granted something.
    const credentials =
      roles === undefined || roles.includes('admin') || proxy === undefined || proxy.length > 0
        ? r.optional('credentials', listOf(credentialGrant, { unique: true }), [])
        : r.required('credentials', listOf(credentialGrant, { nonEmpty: true, unique: true }));
    const limit = r.raw('rateLimit') === undefined ? null : r.required('rateLimit', rateLimit);
    if (id === undefined || identity === undefined || credentials === undefined || roles === undefined || limit === undefined || proxy === undefined) return undefined;
    const common = { id, credentials, roles, proxy, ...(limit === null ? {} : { rateLimit: limit }) };
    return identity.jwt === undefined ? { ...common, apiKeySha256: identity.apiKeySha256 as string } : { ...common, jwt: identity.jwt };
  };
}
