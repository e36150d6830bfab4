import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseBrokerConfig, parseYamlFast, parseYamlReference } from './config.loader';

const ROOT = join(__dirname, '../../../..');

/** Every YAML file in the repository: configs, manifests, compose files, alert rules. */
function repositoryYaml(): Array<[string, string]> {
  const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const found: Array<[string, string]> = files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]);
  // The broker config embedded in the Kubernetes ConfigMap (a block scalar under data.broker.yaml).
  const configMap = parseYamlReference(readFileSync(join(ROOT, 'deploy/kubernetes/configmap.yaml'), 'utf8'), 'configmap') as { data?: Record<string, string> };
  for (const [key, text] of Object.entries(configMap.data ?? {})) if (key.endsWith('.yaml')) found.push([`configmap ${key}`, text]);
  return found;
}

/** Scalars and structures where YAML 1.1 and 1.2, or two parsers, could read differently. */
const EDGE_CASES: string[] = [
  'a: 0o14\nb: 0x1F\nc: 014\nd: 1_000\ne: +12\nf: -0\ng: 12345678901234567890',
  'a: .5\nb: 1e3\nc: 1.5E-3\nd: .inf\ne: -.Inf\nf: .NaN\ng: 0.\nh: 6.8523015e+5',
  'a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ""',
  'a: true\nb: True\nc: TRUE\nd: yes\ne: on\nf: off\ng: y\nh: n\ni: false',
  'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 12:30:00\nd: 190:20:30',
  "a: 'single ''quoted'''\nb: \"double \\t \\u00e9 \\\"q\\\"\"\nc: plain with # not a comment\nd: value # a comment",
  'a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  keep\n\nd: x',
  'a: multi\n  line\n  plain\nb: [1, [2, {c: d}], "e"]\nc: {x: 1, y: [a, b]}',
  '? complex\n: value\n"quoted:key": 1\n1: int key\ntrue: bool key\n~: null key',
  'a: !!str 12\nb: !!int "12"\nc: !!float 1\nd: !!bool "true"\ne: !!null ""',
  '<<: {a: 1}\nb: 2',
  '__proto__: {polluted: true}\nconstructor: x',
  '---\na: 1\n...\n',
  '%YAML 1.2\n---\na: 1',
  '\ufeffa: bom',
  'a: 1\r\nb:\r\n  - x\r\n  - y\r\n',
  'a: 1   \nb:    2\t\n',
  '- 1\n- \n- - nested\n  - seq\n-   key: v\n    k2: v2',
  'a: "multi\n  line\n  quoted"',
  'a: é\nb: 日本\nc: "\\U0001F600"',
  'key with spaces: v\n"": empty key',
  'a: &x {b: 1}\nc: *x',
  '{"a": &x 1, "b":*x}',
  'a: &x\n  b: 1\nc:\n  - *x\n  - [*x, *x]',
  '0x1F: a\n1.0: b\n.inf: c\n1e3: d\n-0: e\n0o7: f',
  'Null: a\n"": b',
  '"": a\n: b',
  '{~: a, b: c}',
  '- null: x\n-   ~ : y',
  'a: {? x}\nb: [x: 1]\nc: [? x : 1]',
  '- !!str\n- x',
  'url: http://example.com:8080/path\nratio: 1:2\ntime: "12:00"',
  // Rejected by one or both; whatever js-yaml accepts must equal what yaml reads.
  'a: 1\na: 2',
  'a: 1\n---\nb: 2',
  'a:\n\t- tab',
  'a: [1, 2',
  'a: b: c',
  'a: !!binary aGVsbG8=',
  'a: !custom x',
  'a: *missing',
  '- a\nb: c',
  '  a: 1\n b: 2',
  '{a: 1, a: 2}',
  'a: "unterminated',
  '',
  '# only a comment',
  '~',
  'just a string',
  '[1, 2, 3]',
];

describe('the two YAML parsers', () => {
  it.each(repositoryYaml())('read %s the same', (_name, text) => {
    expectAgreement(text);
  });

  it.each(EDGE_CASES.map((text) => [JSON.stringify(text).slice(0, 60), text]))('agree on %s', (_name, text) => {
    expectAgreement(text);
  });

  it('leave aliases, empty documents and everything js-yaml rejects to the reference parser', () => {
    expect(parseYamlFast('a: &x [1]\nb: *x')).toBeUndefined();
    expect(parseYamlFast('{a: &x 1, b: *x}')).toBeUndefined();
    expect(parseYamlFast('{"a": &x 1, "b":*x}')).toBeUndefined();
    expect(parseYamlFast('- &x {a: 1}\n- *x')).toBeUndefined();
    // A grant of every credential is a quoted "*", not an alias.
    expect(parseYamlFast('credentials: ["*"]')).toEqual({ value: { credentials: ['*'] } });
    expect(parseYamlFast('')).toBeUndefined();
    expect(parseYamlFast('~')).toBeUndefined();
    expect(parseYamlFast('a: 1\na: 2')).toBeUndefined();
    expect(parseYamlFast('a: 1\n---\nb: 2')).toBeUndefined();
    expect(parseYamlFast('a: [1, 2')).toBeUndefined();
    expect(parseYamlFast('a: !!float 1')).toBeUndefined();
    expect(parseYamlFast('? a\n: b')).toBeUndefined();
    expect(parseYamlFast('~: a')).toBeUndefined();
    expect(parseYamlFast('a: 1\nb: [x]')).toEqual({ value: { a: 1, b: ['x'] } });
    // The broker's own config takes the fast path.
    expect(parseYamlFast(readFileSync(join(ROOT, 'config/broker.example.yaml'), 'utf8'))).toBeDefined();
  });

  it('keeps __proto__ an own key (no prototype from the document) and leaves absurd nesting to yaml', () => {
    const read = parseYamlFast('__proto__: {polluted: true}\na: {__proto__: {x: 1}}')?.value as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(read['a'])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(parseYamlFast(`a: ${'['.repeat(20_000)}${']'.repeat(20_000)}`)).toBeUndefined();
  });

  it('bounds alias expansion as before: a billion-laughs document is one (yaml) issue', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const error = (() => {
      try {
        parseBrokerConfig(laughs.join('\n'));
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('parsed');
    })();
    expect(error.message).toContain('(yaml)');
  });
});

/** Whenever the fast parser answers, the reference parser accepts the document and reads the same value. */
function expectAgreement(text: string): void {
  const fast = parseYamlFast(text);
  if (fast === undefined) return;
  expect(() => parseYamlReference(text, 'test')).not.toThrow();
  expect(fast.value).toEqual(parseYamlReference(text, 'test'));
}
