import { DEFAULT_JWT_ALGORITHMS, JWT_ALGORITHMS, JWT_CLAIM_PATTERN, MESSAGES } from './config.constants';
import type { JwtAlgorithm, JwtIssuerConfig } from './broker-config.interface';
import { listOf, matching, type Rule } from './field.rules';
import { jwksUri } from './ims-url.rule';
import { isMapping, MappingReader } from './mapping.reader';

const ISSUER_KEYS = ['issuer', 'jwksUri', 'audience', 'algorithms'] as const;

const algorithm: Rule<JwtAlgorithm> = (value, path, issues) => {
  if (typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value)) return value as JwtAlgorithm;
  issues.add(path, MESSAGES.jwtAlgorithm);
  return undefined;
};

/** Rule for one entry of `issuers:`, a trusted issuer of workload JWTs. */
export const jwtIssuer: Rule<JwtIssuerConfig> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(ISSUER_KEYS);
  const issuer = r.required('issuer', matching(JWT_CLAIM_PATTERN, MESSAGES.jwtClaim));
  const uri = r.required('jwksUri', jwksUri);
  const audience = r.required('audience', matching(JWT_CLAIM_PATTERN, MESSAGES.jwtClaim));
  const algorithms = r.optional('algorithms', listOf(algorithm, { nonEmpty: true, unique: true }), [...DEFAULT_JWT_ALGORITHMS]);
  if (issuer === undefined || uri === undefined || audience === undefined || algorithms === undefined) return undefined;
  return { issuer, jwksUri: uri, audience, algorithms };
};

/**
 * The `issuer` values of a raw `issuers:` section, for resolving callers' issuers; undefined when the section
 * or one of its entries is unreadable (that is reported on its own, and guessing would only add noise).
 */
export function trustedIssuerNames(raw: unknown): readonly string[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return undefined;
  const names: string[] = [];
  for (const node of raw as unknown[]) {
    const issuer = isMapping(node) ? node['issuer'] : undefined;
    if (typeof issuer !== 'string' || !JWT_CLAIM_PATTERN.test(issuer)) return undefined;
    names.push(issuer);
  }
  return names;
}
