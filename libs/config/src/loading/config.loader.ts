import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
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

function parseYaml(text: string, source: string): unknown {
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

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
