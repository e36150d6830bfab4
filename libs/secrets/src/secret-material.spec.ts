import { inspect } from 'node:util';
import { parseSecretMaterial, sameMaterial } from './secret-material';
import { SecretValue } from './secret-value';

describe('parseSecretMaterial', () => {
  it('takes a bare string as the client secret, trimming a trailing newline', () => {
    expect(parseSecretMaterial('p8e-abc\n', { fetchedAt: 1 })?.clientSecret.reveal()).toBe('p8e-abc');
  });

  it('takes client_secret and keeps the other string fields of a JSON secret', () => {
    const material = parseSecretMaterial('{"client_secret":"s1","private_key":"k","n":1}', { fetchedAt: 1, version: 'v1' });
    expect(material?.clientSecret.reveal()).toBe('s1');
    expect(material?.fields.get('private_key')?.reveal()).toBe('k');
    expect(material?.fields.has('n')).toBe(false);
    expect(material?.version).toBe('v1');
  });

  it('accepts a JSON secret with a private_key and no client_secret (private_key_jwt), with an empty client secret', () => {
    const material = parseSecretMaterial('{"private_key":"-----BEGIN PRIVATE KEY-----\\nabc","kid":"k1"}', { fetchedAt: 1 });
    expect(material?.clientSecret.reveal()).toBe('');
    expect(material?.fields.get('kid')?.reveal()).toBe('k1');
  });

  it.each(['', '   ', '{"other":"x"}', '{not json', '{"client_secret":""}', '{"private_key":"  "}', '{"private_key":7}'])('finds no client secret in %p', (raw) => {
    expect(parseSecretMaterial(raw, { fetchedAt: 1 })).toBeUndefined();
  });
});

describe('SecretValue', () => {
  it('cannot be printed by accident', () => {
    const value = new SecretValue('hunter2-very-secret');
    const renderings = [String(value), `${value}`, JSON.stringify({ value }), inspect(value), inspect({ nested: { value } })];
    for (const rendering of renderings) expect(rendering).not.toContain('hunter2');
    expect(value.reveal()).toBe('hunter2-very-secret');
  });
});

describe('sameMaterial', () => {
  it('compares the client secret and every other field', () => {
    const read = (raw: string) => parseSecretMaterial(raw, { fetchedAt: 1 }) as NonNullable<ReturnType<typeof parseSecretMaterial>>;
    expect(sameMaterial(read('{"client_secret":"a","private_key":"k1"}'), read('{"client_secret":"a","private_key":"k1"}'))).toBe(true);
    expect(sameMaterial(read('{"client_secret":"a","private_key":"k1"}'), read('{"client_secret":"a","private_key":"k2"}'))).toBe(false);
    expect(sameMaterial(read('a'), read('b'))).toBe(false);
    expect(sameMaterial(read('{"client_secret":"a"}'), read('{"client_secret":"a","kid":"x"}'))).toBe(false);
  });
});
