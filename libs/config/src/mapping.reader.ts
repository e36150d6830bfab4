import { CLEAR_TEXT_SECRET_KEYS, MESSAGES } from './config.constants';
import { childPath, describeKind, type IssueCollector } from './config.issues';
import { oneOf, type Rule } from './field.rules';

/** True for a plain YAML mapping (not a list, scalar or null). */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for key names that suggest a secret was pasted into the file instead of referenced. */
export function looksLikeClearTextSecret(key: string): boolean {
  return CLEAR_TEXT_SECRET_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''));
}

/** Reads the fields of one YAML mapping, recording every problem with its path. */
export class MappingReader {
  private constructor(
    private readonly node: Readonly<Record<string, unknown>>,
    readonly path: string,
    readonly issues: IssueCollector,
  ) {}

  /** A reader for `value`, or undefined (and an issue) when it is not a mapping. */
  static open(value: unknown, path: string, issues: IssueCollector): MappingReader | undefined {
    if (!isMapping(value)) {
      issues.add(path, MESSAGES.notMapping(describeKind(value)));
      return undefined;
    }
    return new MappingReader(value, path, issues);
  }

  /** The raw value of `key`; YAML `null` (an empty value) counts as absent. */
  raw(key: string): unknown {
    return Object.hasOwn(this.node, key) ? (this.node[key] ?? undefined) : undefined;
  }

  /** The keys present in the mapping, in file order. */
  keys(): string[] {
    return Object.keys(this.node);
  }

  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  required<T>(key: string, rule: Rule<T>): T | undefined {
    const value = this.raw(key);
    if (value === undefined) {
      this.issues.add(this.pathOf(key), MESSAGES.required);
      return undefined;
    }
    return rule(value, this.pathOf(key), this.issues);
  }

  optional<T>(key: string, rule: Rule<T>, fallback: T): T | undefined {
    const value = this.raw(key);
    return value === undefined ? fallback : rule(value, this.pathOf(key), this.issues);
  }

  /** Reports every key not in `allowed`, with a pointed message for keys that look like pasted secrets. */
  rejectUnknownKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.node)) {
      if (allowed.includes(key)) continue;
      const message = looksLikeClearTextSecret(key) ? MESSAGES.clearTextSecret : MESSAGES.unknownKey(allowed);
      this.issues.add(this.pathOf(key), message);
    }
  }
}

/** One member of a tagged union in the file (a credential provider, a secret source). */
export interface Variant<T, C> {
  readonly keys: readonly string[];
  read(reader: MappingReader, context: C): T | undefined;
}

/** Reads a mapping whose `tag` key selects which variant's keys and rules apply. */
export function readVariant<T, C>(
  reader: MappingReader,
  tag: string,
  variants: Readonly<Record<string, Variant<T, C>>>,
  context: C,
): T | undefined {
  const names = Object.keys(variants);
  const chosen = reader.required(tag, oneOf(names));
  const variant = chosen === undefined ? undefined : variants[chosen];
  if (variant === undefined) {
    // Without a valid tag we cannot tell which keys belong; flag only keys no variant knows.
    reader.rejectUnknownKeys([...new Set([tag, ...Object.values(variants).flatMap((v) => v.keys)])]);
    return undefined;
  }
  reader.rejectUnknownKeys([tag, ...variant.keys]);
  return variant.read(reader, context);
}
