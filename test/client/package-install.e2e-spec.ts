import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeServer, tokenReply } from '../../packages/client/test/fake-broker';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const PACKAGE_DIR = join(ROOT, 'packages/client');
/** The npm running the tests (`npm test` sets npm_execpath), else the one on the PATH. */
const npm = (args: string[], cwd: string) =>
  process.env.npm_execpath?.endsWith('.js') ? run(process.execPath, [process.env.npm_execpath, ...args], { cwd }) : run('npm', args, { cwd });
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** What each script prints: proof it loaded the package by name and it works. */
const SCRIPT_BODY = `
const client = new TokenBrokerClient({ baseUrl: process.env.BROKER_URL, apiKey: 'pkg-key' });
const token = await client.getToken('pkg');
const error = await client.getToken('../nope').catch((e) => e);
const broker = await new TokenBrokerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', deadline: 2000 }).getToken('x').catch((e) => e);
client.close();
console.log(JSON.stringify({ token: token.accessToken, expiresAt: token.expiresAt instanceof Date, typeError: error instanceof TypeError, typed: broker instanceof TokenBrokerError, code: broker.code, resolved }));
`;

/**
 * The package as a service would get it: `npm pack`ed, installed into a fresh project (offline: it has no
 * dependencies), then loaded by name with `import` from an ES module and `require` from CommonJS, and
 * type-checked from both kinds of TypeScript module.
 */
describe('@token-broker/client installed from its tarball', () => {
  let work: string;
  let project: string;
  let broker: FakeServer;

  beforeAll(async () => {
    broker = await FakeServer.start(() => tokenReply('tok-from-package', 3600));
    work = mkdtempSync(join(tmpdir(), 'client-package-'));
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work], PACKAGE_DIR);
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    if (!packed) throw new Error('npm pack reported nothing');
    project = join(work, 'service');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'service', version: '1.0.0', private: true }));
    await npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed.filename)], project);
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the build, the ESM wrapper, types and the README, and no specs or sources', () => {
    const files = listFiles(join(project, 'node_modules/@token-broker/client'));
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'index.mjs', 'index.d.mts', 'package.json', 'README.md']));
    expect(files.filter((f) => /\.spec\.|^src\/|^test\//.test(f))).toEqual([]);
  });

  it('loads by name with import from an ES module', async () => {
    writeFileSync(join(project, 'use.mjs'), `import { TokenBrokerClient, TokenBrokerError } from '@token-broker/client';\nconst resolved = import.meta.resolve('@token-broker/client');\n${SCRIPT_BODY}`);
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: project, env: { ...process.env, BROKER_URL: broker.url, NODE_OPTIONS: '' } });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({ token: 'tok-from-package', expiresAt: true, typeError: true, typed: true, code: expect.stringMatching(/^(network_error|timeout)$/), resolved: expect.stringMatching(/node_modules\/@token-broker\/client\/index\.mjs$/) });
  });

  it('loads by name with require from CommonJS', async () => {
    writeFileSync(
      join(project, 'use.cjs'),
      `const { TokenBrokerClient, TokenBrokerError } = require('@token-broker/client');\nconst resolved = require.resolve('@token-broker/client');\n(async () => {${SCRIPT_BODY}})();`,
    );
    const { stdout } = await run(process.execPath, ['use.cjs'], { cwd: project, env: { ...process.env, BROKER_URL: broker.url, NODE_OPTIONS: '' } });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({ token: 'tok-from-package', expiresAt: true, typeError: true, typed: true, code: expect.stringMatching(/^(network_error|timeout)$/), resolved: expect.stringMatching(/node_modules\/@token-broker\/client\/dist\/index\.js$/) });
  });

  it('has types for both import and require under nodenext resolution', async () => {
    const use = `
const client = new TokenBrokerClient({ baseUrl: 'http://broker:8080', apiKey: 'k', minTtl: 60, onEvent: (e: TokenBrokerEvent) => void e.credentialId });
export async function main(): Promise<string> {
  const token: BrokerToken = await client.getToken('aep-prod');
  const when: Date = token.expiresAt;
  const headers: Record<string, string> = await client.headers('aep-prod');
  const res: Response = await client.fetch('aep-prod', 'https://platform.adobe.io/x', { headers: { accept: 'application/json' } });
  try { await client.reportRejected('aep-prod', token.accessToken); } catch (e) { if (e instanceof TokenBrokerError) return e.code + String(e.retryAfter ?? '') + String(e.status); }
  return when.toISOString() + headers['x-api-key'] + String(res.status);
}
`;
    writeFileSync(join(project, 'esm.mts'), `import { TokenBrokerClient, TokenBrokerError, type BrokerToken, type TokenBrokerEvent } from '@token-broker/client';\n${use}`);
    writeFileSync(join(project, 'cjs.cts'), `import { TokenBrokerClient, TokenBrokerError, type BrokerToken, type TokenBrokerEvent } from '@token-broker/client';\n${use}`);
    writeFileSync(join(project, 'bad.mts'), `import { TokenBrokerClient } from '@token-broker/client';\nnew TokenBrokerClient({ baseUrl: 'http://b', apiKey: 'k', minTtl: '60' });\n`);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['esm.mts', 'cjs.cts', 'bad.mts'],
      }),
    );

    // One compiler run (it is slow): the two good files compile, and the types are real, so the bad one is
    // the only error.
    const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout: string }) => e);
    const errors = result.stdout.split('\n').filter((line) => /error TS/.test(line));
    expect(errors).toEqual([expect.stringMatching(/^bad\.mts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/)]);
  }, 180_000);
});

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}
