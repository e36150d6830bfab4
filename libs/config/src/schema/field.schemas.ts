import { z } from 'zod';
import { MESSAGES } from '../config.constants';
import { describeKind } from '../errors/config.issues';
import { tryParseDuration } from './duration.parser';

/**
 * The building blocks every section of broker.yaml is made of. Each one carries its operator-facing
 * message (from MESSAGES), so the schema alone decides what an offending value is told; messages never
 * quote the value, which may be a pasted secret.
 */

type Message = string | ((input: unknown) => string);

/** A zod error map: an absent value is `required`, anything else gets `message`. */
export function errorFor(message: Message): (issue: { readonly input?: unknown }) => string {
  return (issue) => {
    if (issue.input === undefined) return MESSAGES.required;
    return typeof message === 'string' ? message : message(issue.input);
  };
}

/** What related issues carry in `params`, so the issue translator can name the first of two paths. */
export interface RelatedPathParams {
  readonly format: 'repeats' | 'headerDuplicate';
  /** Relative to the parent of the issue's own path. */
  readonly relatedPath: readonly PropertyKey[];
}

/** A string matching `pattern`; `message` for anything else (never quoting the value). */
export function text(pattern: RegExp, message: string) {
  return z.string({ error: errorFor(message) }).regex(pattern, { error: message });
}

/** One of the given strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(allowed: T) {
  return z.enum(allowed, { error: errorFor(MESSAGES.oneOf(allowed)) });
}

/** A YAML number within [min, max], optionally whole. Quoted numbers are rejected, not coerced. */
export function numberBetween(min: number, max: number, options: { integer?: boolean } = {}) {
  const message = options.integer ? MESSAGES.integerBetween(min, max) : MESSAGES.numberBetween(min, max);
  const number = (options.integer ? z.int({ error: errorFor(message) }) : z.number({ error: errorFor(message) }));
  return number.min(min, { error: message }).max(max, { error: message });
}

/** `500ms`, `30s`, `15m`, `2h`, `30d` (positive); the JSON Schema pattern tells editors the same. */
const DURATION_TEXT = /^0*[1-9]\d*(ms|s|m|h|d)$/;

/** A bare number gets a hint with its most likely meaning, since its unit would be a guess. */
function durationMessage(input: unknown): string {
  if (typeof input !== 'number') return MESSAGES.duration;
  return MESSAGES.durationNumber(Number.isSafeInteger(input) && input > 0 ? `${input}s` : '30s');
}

/** A duration string, in milliseconds. */
export const duration = z
  .string({ error: errorFor(durationMessage) })
  .regex(DURATION_TEXT, { error: MESSAGES.duration })
  .transform((value, ctx) => {
    const ms = tryParseDuration(value);
    if (ms !== undefined) return ms;
    ctx.issues.push({ code: 'custom', message: MESSAGES.duration, input: value });
    return z.NEVER;
  })
  .meta({ description: 'a duration such as 500ms, 30s, 15m, 2h or 30d' });

/** A YAML mapping with exactly these keys; unknown keys are named with the expected ones. */
export function mapping<const S extends z.core.$ZodLooseShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return MESSAGES.unknownKey(keys);
      return errorFor((input) => MESSAGES.notMapping(describeKind(input)))(issue);
    },
  });
}

/**
 * A list whose items all pass `item`; with `unique`, a repeated item is reported at its own index,
 * naming the first (items that failed their own rule take no part).
 */
export function listOf<T extends z.ZodType>(item: T, options: { nonEmpty?: boolean; unique?: boolean } = {}) {
  let list = z.array(item, { error: errorFor((input) => MESSAGES.notList(describeKind(input))) });
  if (options.nonEmpty) list = list.min(1, { error: MESSAGES.emptyList });
  if (!options.unique) return list;
  return list.check(
    z.superRefine(
      (items: readonly unknown[], ctx) => {
        if (!Array.isArray(items)) return;
        const failed = failedKeys(ctx);
        const first = new Map<unknown, number>();
        items.forEach((value, index) => {
          if (failed.has(index)) return;
          const seen = first.get(value);
          if (seen === undefined) first.set(value, index);
          else ctx.addIssue({ code: 'custom', message: 'repeats', path: [index], params: related('repeats', [seen]) });
        });
      },
      // Runs even when some items failed: the valid ones may still repeat each other.
      { when: () => true },
    ),
  );
}

/** `params` of an issue whose message names another path (see RelatedPathParams). */
export function related(format: RelatedPathParams['format'], relatedPath: readonly PropertyKey[]): RelatedPathParams {
  return { format, relatedPath };
}

type IssueContext = { readonly issues: readonly { readonly path?: readonly PropertyKey[] | undefined }[] };

/** The first path keys under which a check's payload already has issues (fields or items that failed their own rule). */
export function failedKeys(ctx: IssueContext): Set<PropertyKey | undefined> {
  return new Set(ctx.issues.map((issue) => issue.path?.[0]));
}

/** True when the field `key` of a check's payload failed its own rule. */
export function hasIssueAt(ctx: IssueContext, key: string): boolean {
  return ctx.issues.some((issue) => issue.path?.[0] === key);
}

/** True for a plain YAML mapping (not a list, scalar or null). */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
