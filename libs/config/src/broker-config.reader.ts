import { MESSAGES, FILE_PATH } from './config.constants';
import type { BrokerConfig } from './broker-config.interface';
import type { ConfigIssue } from './config-validation.error';
import { IssueCollector } from './config.issues';
import { caller } from './caller.reader';
import { credential } from './credential.reader';
import { checkCrossReferences, checkJwtCallers } from './cross-reference.rules';
import { deepFreeze } from './deep-freeze.util';
import { listOf } from './field.rules';
import { jwtIssuer, trustedIssuerNames } from './issuer.reader';
import { MappingReader } from './mapping.reader';
import { secretsPolicy, tokenPolicy } from './policy.reader';
import { rateLimitsPolicy } from './rate-limit.reader';
import type { ReadContext } from './secret-ref.reader';

const TOP_LEVEL_KEYS = ['credentials', 'callers', 'tokens', 'secrets', 'issuers', 'rateLimits'];

/** Section rank and entry index of a path: `callers[2].id` -> [1, 2]; unknown sections sort last. */
function position(path: string): [number, number] {
  const match = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(path);
  const rank = match?.[1] === undefined ? -1 : TOP_LEVEL_KEYS.indexOf(match[1]);
  return [rank < 0 ? TOP_LEVEL_KEYS.length : rank, Number(match?.[2] ?? -1)];
}

// Issues are found rule by rule; grouping them by entry lets an operator fix one entry at a time.
// The sort is stable, so issues of one entry keep the order they were found in.
function byEntry(a: ConfigIssue, b: ConfigIssue): number {
  const [rankA, indexA] = position(a.path);
  const [rankB, indexB] = position(b.path);
  return rankA - rankB || indexA - indexB;
}

/** Validates the parsed YAML document into a deep-frozen `BrokerConfig`, or throws with every issue found. */
export function readBrokerConfig(document: unknown, source: string, context: ReadContext): BrokerConfig {
  const issues = new IssueCollector();
  if (document === undefined || document === null) {
    issues.add(FILE_PATH, MESSAGES.fileEmpty);
    throw issues.toError(source);
  }
  const root = MappingReader.open(document, '', issues);
  if (root === undefined) throw issues.toError(source);

  root.rejectUnknownKeys(TOP_LEVEL_KEYS);
  // Empty or absent lists are valid: a broker with no callers serves nobody, which is a legitimate boot state.
  const credentials = root.optional('credentials', listOf(credential(context)), []);
  const issuers = root.optional('issuers', listOf(jwtIssuer), []);
  const callers = root.optional('callers', listOf(caller(trustedIssuerNames(root.raw('issuers')))), []);
  const tokens = tokenPolicy(root.raw('tokens'), root.pathOf('tokens'), issues);
  const secrets = secretsPolicy(root.raw('secrets'), root.pathOf('secrets'), issues);
  const rateLimits = rateLimitsPolicy(root.raw('rateLimits'), root.pathOf('rateLimits'), issues);
  checkCrossReferences(root.raw('credentials'), root.raw('callers'), issues);
  checkJwtCallers(root.raw('issuers'), root.raw('callers'), issues);

  // A rule that returns undefined has always recorded an issue; the undefined checks only narrow the types.
  if (issues.count > 0 || credentials === undefined || callers === undefined || issuers === undefined || !tokens || !secrets || !rateLimits) {
    throw issues.toError(source, byEntry);
  }
  return deepFreeze({ source, credentials, callers, tokens, secrets, issuers, rateLimits });
}
