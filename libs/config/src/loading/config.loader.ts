import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { load as loadYamlFast } from 'js-yaml';
import type * as YamlPackage from 'yaml';
import { FILE_PATH, INLINE_SOURCE, MESSAGES } from '../config.constants';
import { IssueCollector } from '../errors/config.issues';
import type { BrokerConfig } from '../schema/broker-config.types';
import { validateBrokerConfig } from './broker-config.validator';

/** Reads and validates the broker config file; throws `ConfigValidationError` listing every problem. */
export function loadBrokerConfig(path: string): BrokerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const issues = new IssueCollector();
    const code = (error as NodeJS.ErrnoException).code;
    issues.add(FILE_PATH, code === 'ENOENT' ? MESSAGES.fileMissing : MESSAGES.fileUnreadable(code ?? 'unknown error'));
    throw issues.toError(path);
  }
  return parseBrokerConfig(text, path);
}

/**
 * Validates the text of a broker config file. `source` names it in messages and anchors relative
 * secret file paths (the current directory when absent).
 */
export function parseBrokerConfig(yamlText: string, source?: string): BrokerConfig {
  const label = source ?? INLINE_SOURCE;
  const baseDir = source === undefined ? process.cwd() : dirname(resolve(source));
  return validateBrokerConfig(parseYaml(yamlText, label), label, { baseDir });
}

/**
 * YAML to plain data. Two parsers, one meaning:
 * - js-yaml reads the document first: it builds plain objects directly, about 5× faster and with a quarter of
 *   the transient heap of a composed document (10,000 credentials: 0.5 s and 49 MiB against 2.2 s and 191 MiB,
 *   a peak the process's resident set never gives back). Both parsers use the YAML 1.2 core schema.
 * - `yaml` is the reference: whatever js-yaml rejects (syntax, duplicate keys, several documents, unknown tags,
 *   aliases: js-yaml shares the node where `yaml` bounds the expansion), an empty document and the documents
 *   `NEEDS_REFERENCE` matches (tags, explicit and null keys) are parsed by `yaml`, whose errors name line and
 *   column without quoting the source.
 * `yaml-parsers.spec.ts` checks that the two agree on every config in the repository and on the edge cases.
 */
function parseYaml(text: string, source: string): unknown {
  const fast = parseYamlFast(text);
  return fast === undefined ? parseYamlReference(text, source) : fast.value;
}

/** js-yaml's reading, or undefined where `yaml` must decide (see `parseYaml`). */
export function parseYamlFast(text: string): { value: unknown } | undefined {
  if (NEEDS_REFERENCE.test(text)) return undefined;
  let value: unknown;
  try {
    // maxAliases 0: js-yaml rejects every alias, so documents with one go to `yaml`, which bounds their expansion.
    value = loadYamlFast(text, { maxAliases: 0 });
  } catch {
    return undefined;
  }
  if (value === undefined || value === null) return undefined;
  return { value };
}

/**
 * Where the two parsers read a valid document differently, `yaml` decides: explicit tags (`!!float 1` is the
 * string "1" to `yaml`, the number 1 to js-yaml), explicit `?` keys, and null keys (`~: x` is the key "" to
 * `yaml`, "null" to js-yaml). The test is on the text and deliberately broad (a `!` opening any token, even in
 * a comment or inside quotes): a false match only costs the slower parse.
 */
const NEEDS_REFERENCE = /(?:^|[\s[{,])!|(?:^|[\s[{,])\?(?=\s|$)|(?:^|[\n{,])[ \t-]*(?:~|null|Null|NULL)?[ \t]*:(?=[\s,}\]]|$)/;

/** The reference parser: its errors become config issues with line and column. */
export function parseYamlReference(text: string, source: string): unknown {
  const { LineCounter, parseDocument } = yamlPackage();
  const lines = new LineCounter();
  // prettyErrors is off because it quotes the offending source line, which may hold a pasted secret.
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const issues = new IssueCollector();
  for (const error of document.errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    issues.add(MESSAGES.yamlSyntax(line, col), firstLine(error.message));
  }
  if (issues.count > 0) throw issues.toError(source);
  try {
    return document.toJS();
  } catch (error) {
    // toJS throws for unresolved or excessive aliases.
    issues.add(MESSAGES.yamlInvalid, firstLine(error instanceof Error ? error.message : String(error)));
    throw issues.toError(source);
  }
}

/** `yaml`, loaded the first time a document needs it (most configs never do: 72 modules not loaded at boot). */
function yamlPackage(): typeof YamlPackage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see parseYaml
  return require('yaml') as typeof YamlPackage;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
