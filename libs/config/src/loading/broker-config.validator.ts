import { isAbsolute, resolve } from 'node:path';
import { FILE_PATH, MESSAGES } from '../config.constants';
import type { ConfigIssue } from '../errors/config-validation.error';
import { IssueCollector } from '../errors/config.issues';
import { checkCallerIssuers, resolveIssuer } from '../rules/caller-issuer.rule';
import { checkCrossReferences, checkJwtCallers } from '../rules/cross-reference.rules';
import { brokerConfigSchema, SECTIONS, type ParsedBrokerConfig } from '../schema/broker-config.schema';
import type { BrokerConfig, CallerConfig, SecretRef } from '../schema/broker-config.types';
import { isMapping } from '../schema/field.schemas';
import { deepFreeze } from './deep-freeze.util';
import { toConfigIssues } from './schema-issues';

/** What validation needs beyond the YAML: relative secret file paths are anchored at the config file's directory. */
export interface ValidationContext {
  readonly baseDir: string;
}

/** Section rank and entry index of a path: `callers[2].id` -> [1, 2]; unknown sections sort last. */
function position(path: string): [number, number] {
  const match = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(path);
  const rank = match?.[1] === undefined ? -1 : SECTIONS.indexOf(match[1]);
  return [rank < 0 ? SECTIONS.length : rank, Number(match?.[2] ?? -1)];
}

// Issues are found by the schema, then by the rules; grouping them by entry lets an operator fix one entry
// at a time. The sort is stable, so issues of one entry keep the order they were found in.
function byEntry(a: ConfigIssue, b: ConfigIssue): number {
  const [rankA, indexA] = position(a.path);
  const [rankB, indexB] = position(b.path);
  return rankA - rankB || indexA - indexB;
}

/** Calls `visit` with every mapping in a tree of YAML values, parents before children. */
function forEachMapping(node: unknown, visit: (mapping: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachMapping(item, visit);
    return;
  }
  if (!isMapping(node)) return;
  const mapping = node as Record<string, unknown>;
  visit(mapping);
  for (const child of Object.values(mapping)) forEachMapping(child, visit);
}

/** YAML `null` (a key written without a value) counts as absent; the key itself stays, so unknown ones are still named. */
function nullsToAbsent(mapping: Record<string, unknown>): void {
  for (const key of Object.keys(mapping)) {
    // defineProperty, because a plain assignment to a key named __proto__ would replace the prototype.
    if (mapping[key] === null) Object.defineProperty(mapping, key, { value: undefined, enumerable: true, writable: true, configurable: true });
  }
}

/** Deletes keys whose value is undefined (an optional key written without a value), so results compare cleanly. */
function dropAbsent(mapping: Record<string, unknown>): void {
  for (const key of Object.keys(mapping)) if (mapping[key] === undefined) delete mapping[key];
}

/** The callers with their issuers resolved; the rules have made sure every JWT caller has one. */
function resolveCallers(parsed: ParsedBrokerConfig): CallerConfig[] {
  const trusted = parsed.issuers.map((entry) => entry.issuer);
  return parsed.callers.map((entry) => {
    if (entry.jwt === undefined) return entry as CallerConfig;
    const resolved = resolveIssuer(entry.jwt.issuer, trusted);
    if (resolved === undefined || 'problem' in resolved) throw new Error(`caller ${entry.id} has no issuer although the rules passed`);
    return { ...entry, jwt: { subject: entry.jwt.subject, issuer: resolved.issuer } };
  });
}

function anchored(secret: SecretRef, baseDir: string): SecretRef {
  if (secret.source !== 'file') return secret;
  return { source: 'file', path: isAbsolute(secret.path) ? resolve(secret.path) : resolve(baseDir, secret.path) };
}

/**
 * Validates the parsed YAML document into a deep-frozen `BrokerConfig`, or throws `ConfigValidationError`
 * with every issue found. The document is the YAML parser's fresh output; absent values are normalised in it.
 */
export function validateBrokerConfig(document: unknown, source: string, context: ValidationContext): BrokerConfig {
  const issues = new IssueCollector();
  if (document === undefined || document === null) {
    issues.add(FILE_PATH, MESSAGES.fileEmpty);
    throw issues.toError(source);
  }
  forEachMapping(document, nullsToAbsent);
  const result = brokerConfigSchema.safeParse(document);
  if (!result.success) for (const issue of toConfigIssues(result.error.issues)) issues.add(issue.path, issue.message);
  if (isMapping(document)) {
    checkCrossReferences(document['credentials'], document['callers'], issues);
    checkJwtCallers(document['issuers'], document['callers'], issues);
    checkCallerIssuers(document['issuers'], document['callers'], issues);
  }
  if (!result.success || issues.count > 0) throw issues.toError(source, byEntry);

  // In place: the schema's output is a fresh tree.
  const parsed = result.data;
  forEachMapping(parsed, dropAbsent);
  const credentials = parsed.credentials.map((credential) => ({ ...credential, secret: anchored(credential.secret, context.baseDir) }));
  return deepFreeze({ source, ...parsed, credentials, callers: resolveCallers(parsed) }) as BrokerConfig;
}

