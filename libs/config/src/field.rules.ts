import { MESSAGES } from './config.constants';
import { childPath, describeKind, type IssueCollector } from './config.issues';
import { tryParseDuration } from './duration.parser';

/** Checks one YAML value; records an issue at `path` and returns undefined when it is invalid. */
export type Rule<T> = (value: unknown, path: string, issues: IssueCollector) => T | undefined;

function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** Rule: one of the given strings. */
export function oneOf<T extends string>(allowed: readonly T[]): Rule<T> {
  return (value, path, issues) => {
    if (isOneOf(allowed, value)) return value;
    issues.add(path, MESSAGES.oneOf(allowed));
    return undefined;
  };
}

/** Rule: a string matching `pattern`; `message` must not quote the value (it may be secret). */
export function matching(pattern: RegExp, message: string): Rule<string> {
  return (value, path, issues) => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    issues.add(path, message);
    return undefined;
  };
}

/** Rule: a string whose length is within bounds. */
export function stringOfLength(min: number, max: number, message: string): Rule<string> {
  return (value, path, issues) => {
    if (typeof value === 'string' && value.length >= min && value.length <= max) return value;
    issues.add(path, message);
    return undefined;
  };
}

/** Rule: a YAML number within [min, max], optionally whole. Quoted numbers are rejected, not coerced. */
export function numberBetween(min: number, max: number, options: { integer?: boolean } = {}): Rule<number> {
  return (value, path, issues) => {
    const ok = typeof value === 'number' && value >= min && value <= max;
    if (ok && (!options.integer || Number.isInteger(value))) return value;
    issues.add(path, options.integer ? MESSAGES.integerBetween(min, max) : MESSAGES.numberBetween(min, max));
    return undefined;
  };
}

/** Rule: a duration string, in milliseconds. A bare number gets a hint, since its unit would be a guess. */
export const duration: Rule<number> = (value, path, issues) => {
  const ms = typeof value === 'string' ? tryParseDuration(value) : undefined;
  if (ms !== undefined) return ms;
  const hint = typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? `${value}s` : '30s';
  issues.add(path, typeof value === 'number' ? MESSAGES.durationNumber(hint) : MESSAGES.duration);
  return undefined;
};

/** Rule: a list whose items all pass `item`; with `unique`, a repeated item is reported at its own index. */
export function listOf<T>(item: Rule<T>, options: { nonEmpty?: boolean; unique?: boolean } = {}): Rule<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.add(path, MESSAGES.notList(describeKind(value)));
      return undefined;
    }
    if (options.nonEmpty && value.length === 0) {
      issues.add(path, MESSAGES.emptyList);
      return undefined;
    }
    const before = issues.count;
    const items: T[] = [];
    const firstIndex = new Map<T, number>();
    value.forEach((raw: unknown, index) => {
      const parsed = item(raw, childPath(path, index), issues);
      if (parsed === undefined) return;
      const first = firstIndex.get(parsed);
      if (options.unique && first !== undefined) {
        issues.add(childPath(path, index), MESSAGES.repeats(childPath(path, first)));
        return;
      }
      firstIndex.set(parsed, index);
      items.push(parsed);
    });
    return issues.count === before ? items : undefined;
  };
}
