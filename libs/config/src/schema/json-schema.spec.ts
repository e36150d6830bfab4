import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ConfigValidationError } from '../errors/config-validation.error';
import { callerDoc, configDoc, credentialDoc, parseDoc } from '../../../../test/fixtures/config.fixtures';
import { brokerConfigJsonSchema, brokerConfigJsonSchemaText, JSON_SCHEMA_PATH } from './json-schema';

const ROOT = resolve(__dirname, '../../../..');
const EXAMPLE = resolve(ROOT, 'config/broker.example.yaml');

function validator() {
  // Formats (`uri`) are hints for editors; the broker checks URLs itself.
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(brokerConfigJsonSchema());
}

describe('config/broker.schema.json', () => {
  it('is what `npm run schema` generates from the zod schema', () => {
    const checkedIn = readFileSync(resolve(ROOT, JSON_SCHEMA_PATH), 'utf8');
    if (checkedIn !== brokerConfigJsonSchemaText()) {
      throw new Error(`${JSON_SCHEMA_PATH} is stale: the schema in libs/config/src/schema changed. Run \`npm run schema\` and commit the file.`);
    }
  });

  it('is referenced by the first line of the example config, for yaml-language-server', () => {
    expect(readFileSync(EXAMPLE, 'utf8').split('\n', 1)[0]).toBe('# yaml-language-server: $schema=./broker.schema.json');
  });

  it('accepts the example config and the spec fixture', () => {
    const validate = validator();

    expect({ valid: validate(parse(readFileSync(EXAMPLE, 'utf8'))), errors: validate.errors }).toEqual({ valid: true, errors: null });
    expect(validate(configDoc())).toBe(true);
  });

  it.each([
    ['an unknown top-level key', configDoc({ metrics: {} }), 'additionalProperties'],
    ['a pasted client secret', configDoc({ credentials: [credentialDoc({ secret: 's3cr3t' })] }), 'type'],
    ['an unknown provider', configDoc({ credentials: [credentialDoc({ provider: 'okta' })] }), 'const'],
    ['a bare-number duration', configDoc({ tokens: { upstreamTimeout: 10 } }), 'type'],
    ['a duration without unit', configDoc({ secrets: { cacheTtl: '300' } }), 'pattern'],
    ['an org id without @AdobeOrg', configDoc({ credentials: [credentialDoc({ orgId: '53A1B2C3' })] }), 'pattern'],
    ['a caller without id', configDoc({ callers: [callerDoc({ id: undefined })] }), 'required'],
    ['a refreshAt out of range', configDoc({ tokens: { refreshAt: 2 } }), 'maximum'],
  ])('rejects %s, as the broker does', (_what, doc, keyword) => {
    const validate = validator();

    expect(validate(JSON.parse(JSON.stringify(doc)))).toBe(false);
    expect(validate.errors?.map((error) => error.keyword)).toContain(keyword);
    expect(() => parseDoc(doc)).toThrow(ConfigValidationError);
  });
});
