import { z } from 'zod';
import { MESSAGES } from '../config.constants';
import { describeKind } from '../errors/config.issues';
import { looksLikeClearTextSecret } from '../errors/clear-text-secret';
import { isMapping } from './field.schemas';

type Variant = z.ZodObject | z.ZodPipe<z.ZodObject>;

function shapeOf(variant: Variant): Readonly<Record<string, unknown>> {
  return variant instanceof z.ZodPipe ? (variant.in as z.ZodObject).shape : variant.shape;
}

/**
 * A mapping whose `tag` key selects the variant (a credential's `provider`, a secret's `source`). Without a
 * valid tag the variant's rules cannot be known, so only the tag and keys no variant knows are reported.
 * `notMapping` words the problem when the value is not a mapping at all.
 */
export function taggedUnion<const V extends readonly [Variant, ...Variant[]]>(
  tag: string,
  variants: V,
  notMapping: (input: unknown) => string = (input) => MESSAGES.notMapping(describeKind(input)),
) {
  const names = variants.map((variant) => String((shapeOf(variant)[tag] as z.ZodLiteral).value));
  const knownKeys = [...new Set([tag, ...variants.flatMap((variant) => Object.keys(shapeOf(variant)))])];
  return z
    .discriminatedUnion(tag, variants, {
      error: (issue) => {
        if (issue.input === undefined) return MESSAGES.required;
        if (issue.code !== 'invalid_union') return notMapping(issue.input);
        return isMapping(issue.input) && issue.input[tag] === undefined ? MESSAGES.required : MESSAGES.oneOf(names);
      },
    })
    .check(
      z.superRefine(
        (value, ctx) => {
          if (!isMapping(value) || names.includes(String(value[tag]))) return;
          // Reported after the tag, which is the line to fix first.
          for (const key of Object.keys(value)) {
            if (knownKeys.includes(key)) continue;
            const message = looksLikeClearTextSecret(key) ? MESSAGES.clearTextSecret : MESSAGES.unknownKey(knownKeys);
            ctx.addIssue({ code: 'custom', message, path: [key] });
          }
        },
        { when: () => true },
      ),
    );
}
