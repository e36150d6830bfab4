import type { z } from 'zod';
import { MESSAGES } from '../config.constants';
import type { ConfigIssue } from '../errors/config-validation.error';
import { childPath } from '../errors/config.issues';
import { looksLikeClearTextSecret } from '../errors/clear-text-secret';
import type { RelatedPathParams } from '../schema/field.schemas';

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((parent, key) => childPath(parent, typeof key === 'number' ? key : String(key)), '');
}

function isRelated(params: unknown): params is RelatedPathParams {
  return typeof params === 'object' && params !== null && 'relatedPath' in params && 'format' in params;
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.every((key, i) => path[i] === key);
}

interface Located {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** The located issues one zod issue stands for; the schema's messages are used as they are, but for the cases below. */
function expand(issue: z.core.$ZodIssue): Located[] {
  const { path } = issue;
  if (issue.code === 'unrecognized_keys') {
    // One issue per key, so each has its path; a key that looks like a pasted secret gets the pointed message.
    return issue.keys.map((key) => ({ path: [...path, key], message: looksLikeClearTextSecret(key) ? MESSAGES.clearTextSecret : issue.message }));
  }
  // A record key that failed its own rule: the first thing wrong with it, as the key schema words it.
  if (issue.code === 'invalid_key') return [{ path, message: issue.issues[0]?.message ?? issue.message }];
  if (issue.code === 'custom' && isRelated(issue.params)) {
    const first = formatPath([...path.slice(0, -1), ...issue.params.relatedPath]);
    return [{ path, message: issue.params.format === 'repeats' ? MESSAGES.repeats(first) : MESSAGES.headerDuplicate(first) }];
  }
  return [{ path, message: issue.message }];
}

/**
 * zod's issues as the broker reports them: one per path, unknown keys of a mapping before the problems of
 * its fields (zod finds them last, but an operator reads a typo before what follows from it), each
 * (path, message) once.
 */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const located: Located[] = [];
  for (const issue of issues) {
    const expanded = expand(issue);
    if (issue.code !== 'unrecognized_keys') {
      located.push(...expanded);
      continue;
    }
    const at = located.findIndex((earlier) => startsWith(earlier.path, issue.path));
    located.splice(at < 0 ? located.length : at, 0, ...expanded);
  }
  const seen = new Set<string>();
  return located.flatMap(({ path, message }) => {
    const formatted = formatPath(path);
    const key = `${formatted}\n${message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ path: formatted, message }];
  });
}
