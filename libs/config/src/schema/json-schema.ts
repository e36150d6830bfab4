import { z } from 'zod';
import { brokerConfigSchema } from './broker-config.schema';

/** Where the generated schema is checked in, relative to the repository root. */
export const JSON_SCHEMA_PATH = 'config/broker.schema.json';

/**
 * The JSON Schema of broker.yaml, generated from the zod schema, for editors (yaml-language-server) and
 * other tools. It describes what a file may contain (keys, types, patterns, defaults); the rules that
 * need code (https except on loopback, cron syntax, cross-references) are the broker's own:
 * `brokerctl config validate` applies them all.
 */
export function brokerConfigJsonSchema(): Record<string, unknown> {
  // draft-07: the draft yaml-language-server and most editors support fully. `input`: the file as
  // written (durations as text), not the validated config the broker derives from it.
  const generated = z.toJSONSchema(brokerConfigSchema, { target: 'draft-07', io: 'input', unrepresentable: 'any' });
  return {
    $schema: generated['$schema'],
    title: 'Token broker configuration (broker.yaml)',
    description: 'Generated from libs/config/src/schema by `npm run schema`; do not edit by hand. See docs/configuration.md.',
    ...generated,
  };
}

/** The checked-in form: two-space JSON with a final newline. */
export function brokerConfigJsonSchemaText(): string {
  return `${JSON.stringify(brokerConfigJsonSchema(), null, 2)}\n`;
}
