/**
 * `npm run bench:config`: what validating broker.yaml costs at boot (and on every reload), for configs of
 * 10, 1,000 and 10,000 credentials with one caller each. Prints the median of several runs: the YAML parse
 * by the reference parser (`yaml`) and by the one the broker tries first (js-yaml, `parseYamlFast`), and the
 * validation (zod schema, rules, freezing) of the parsed document.
 * Figures go into docs/configuration.md by hand: they describe the machine as much as the code.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { validateBrokerConfig } from '../libs/config/src/loading/broker-config.validator';
import { parseYamlFast } from '../libs/config/src/loading/config.loader';

const SIZES = [10, 1_000, 10_000] as const;
const RUNS = 7;

function configText(credentials: number): string {
  const lines = ['credentials:'];
  for (let i = 0; i < credentials; i++) {
    lines.push(
      `  - id: cred-${i}`,
      '    provider: adobe-ims',
      `    clientId: client-${i}`,
      '    orgId: 53A1B2C3D4E5F60718293A4B@AdobeOrg',
      '    scopes: [openid, AdobeID, read_organizations]',
      `    secret: { source: aws, secretId: prod/adobe/cred-${i} }`,
    );
  }
  lines.push('callers:');
  for (let i = 0; i < credentials; i++) {
    const hash = createHash('sha256').update(`key-${i}`).digest('hex');
    lines.push(`  - id: caller-${i}`, `    apiKeySha256: ${hash}`, `    credentials: [cred-${i}, "team-${i % 10}-*"]`);
  }
  return `${lines.join('\n')}\n`;
}

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] as number;
}

console.log('credentials  yaml ms  js-yaml ms  validation ms');
for (const size of SIZES) {
  const text = configText(size);
  const document: unknown = parse(text);
  const fast = parseYamlFast(text);
  if (fast === undefined || JSON.stringify(fast.value) !== JSON.stringify(document)) throw new Error('js-yaml did not take or agree on the bench config');
  const validate = () => validateBrokerConfig(document, 'bench', { baseDir: '/' });
  validate(); // warm-up, and proof the generated config is valid
  const yaml = medianMs(() => parse(text));
  const jsYaml = medianMs(() => parseYamlFast(text));
  const validation = medianMs(validate);
  console.log(`${String(size).padStart(11)}  ${yaml.toFixed(1).padStart(7)}  ${jsYaml.toFixed(1).padStart(10)}  ${validation.toFixed(1).padStart(13)}`);
}
