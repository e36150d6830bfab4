import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../support/broker-http';
import { type DockerInstruction, inBuildContext, parseDockerfile, readText, ROOT } from './deploy-files';

/**
 * The Dockerfile and .dockerignore read as text (no Docker engine here): Node 24, `npm ci` from the
 * lockfile, production-only dependencies in the runtime stage, a non-root numeric user, the entry point and the
 * health check the app can satisfy, and a build context that holds what the build needs and nothing else.
 */

// Room to wait for a concurrent rebuild of dist/ (see run-compiled.ts).
jest.setTimeout(120_000);

const instructions = parseDockerfile(readText('Dockerfile'));
const dockerignore = readText('.dockerignore');
// ARGs before the first FROM belong to no stage ('').
const stages = instructions.filter((i) => i.instruction === 'FROM').map((i) => i.stage);
const runtimeStage = stages.at(-1) ?? '';

function inStage(stage: string, instruction: string): DockerInstruction[] {
  return instructions.filter((i) => i.stage === stage && i.instruction === instruction);
}

/** `ARG NAME=default` values, to resolve `FROM ${NAME}`. */
function argDefault(name: string): string | undefined {
  const arg = instructions.find((i) => i.instruction === 'ARG' && i.args.startsWith(`${name}=`));
  return arg?.args.slice(name.length + 1);
}

describe('Dockerfile', () => {
  it('builds on Node 24 in named stages', () => {
    const bases = instructions
      .filter((i) => i.instruction === 'FROM')
      .map((i) => i.args.split(/\s+/)[0] ?? '')
      .map((image) => image.replace(/^\$\{(\w+)\}$/, (_, name: string) => argDefault(name) ?? image));
    expect(bases.length).toBeGreaterThanOrEqual(2);
    // A stage may build on an earlier one (the emulator on `build`); the rest on Node 24.
    for (const base of bases.filter((b) => !stages.includes(b))) expect(base).toMatch(/^node:24(\.|-|$)/);
    expect(stages).toEqual(['build', 'deps', 'ims-emulator', 'runtime']);
  });

  it('installs with npm ci (exactly the lockfile, never rewriting it) and builds the production tree', () => {
    const runs = instructions.filter((i) => i.instruction === 'RUN').map((i) => i.args);
    expect(runs.join('\n')).not.toMatch(/\bnpm (install|i)\b/);
    expect(inStage('build', 'RUN').map((i) => i.args)).toEqual([expect.stringMatching(/^npm ci\b/), 'scripts/prod-tree.sh']);
    const deps = inStage('deps', 'RUN').map((i) => i.args);
    expect(deps.some((args) => /^npm ci\b.*--omit=dev/.test(args))).toBe(true);
  });

  it('ships only dist and production node_modules, as uid 10001, in production mode', () => {
    const copies = inStage(runtimeStage, 'COPY').map((i) => i.args);
    expect(copies).toEqual(
      expect.arrayContaining(['--from=deps /app/node_modules ./node_modules', '--from=build /app/dist ./dist', 'package.json ./']),
    );
    expect(copies).toHaveLength(3);
    expect(inStage(runtimeStage, 'RUN').every((i) => !/\bnpm\b/.test(i.args))).toBe(true);
    const env = inStage(runtimeStage, 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    const users = inStage(runtimeStage, 'USER');
    expect(users.map((u) => u.args)).toEqual(['10001:10001']);
    // Nothing runs as root after the switch.
    const userIndex = instructions.indexOf(users[0] as DockerInstruction);
    expect(instructions.slice(userIndex).filter((i) => i.instruction === 'RUN')).toEqual([]);
  });

  it('exposes the port the broker listens on and starts the compiled main.ts with node itself', async () => {
    const env = inStage(runtimeStage, 'ENV').map((i) => i.args).join(' ');
    const port = /\bPORT=(\d+)/.exec(env)?.[1];
    expect(inStage(runtimeStage, 'EXPOSE').map((i) => i.args)).toEqual([port]);
    expect(port).toBe('8080');
    const cmd = JSON.parse(inStage(runtimeStage, 'CMD')[0]?.args ?? '[]') as string[];
    expect(cmd).toEqual(['node', 'dist/apps/broker/src/main.js']);
    expect(inStage(runtimeStage, 'ENTRYPOINT')).toEqual([]);
    // dist/ mirrors the source tree (tsconfig rootDir "." and outDir "./dist").
    expect(existsSync(join(ROOT, 'apps/broker/src/main.ts'))).toBe(true);
    // The ops CLI ships in the same image. (dist/ is shared with concurrent builds: wait, do not fail.)
    for (const compiled of [cmd[1] ?? '', 'dist/apps/brokerctl/src/main.js']) {
      await waitUntil(() => existsSync(join(ROOT, compiled)), compiled, 60_000, 200);
    }
  });

  it('health-checks /health/live with node (no curl in slim images)', () => {
    const healthchecks = inStage(runtimeStage, 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const args = healthchecks[0]?.args ?? '';
    expect(args).toMatch(/CMD \["node", "-e", /);
    expect(args).toContain("'/health/live'");
    expect(args).not.toMatch(/curl|wget/);
  });
});

describe('.dockerignore', () => {
  it('sends every file the build copies', () => {
    const sources = inStage('build', 'COPY')
      .concat(inStage('deps', 'COPY'), inStage('ims-emulator', 'COPY'), inStage(runtimeStage, 'COPY'))
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, sent: inBuildContext(source, dockerignore) }).toEqual({ source, sent: true });
    }
    for (const file of ['apps/broker/src/main.ts', 'libs/config/src/index.ts', 'test/support/ims-emulator.ts', 'apps/brokerctl/src/main.ts']) {
      expect({ file, sent: inBuildContext(file, dockerignore) }).toEqual({ file, sent: true });
    }
  });

  it('keeps local state, secrets and tests out of the build context', () => {
    for (const file of [
      '.git/HEAD',
      'node_modules/yaml/package.json',
      'dist/apps/broker/src/main.js',
      'config/broker.yaml',
      '.env',
      'deploy/kubernetes/secret.example.yaml',
      'test/e2e/tokens.e2e-spec.ts',
      'libs/config/src/config.loader.spec.ts',
      'test/support/ims-emulator.spec.ts',
      'coverage/lcov.info',
    ]) {
      expect({ file, sent: inBuildContext(file, dockerignore) }).toEqual({ file, sent: false });
    }
  });

  it("compiles compose's IMS emulator in a stage of its own, which the runtime stage never copies from", () => {
    const buildConfig = JSON.parse(readText('tsconfig.build.json')) as { include: string[] };
    expect(buildConfig.include).toEqual(expect.arrayContaining(['apps/**/*.ts', 'libs/**/*.ts', 'test/support/**/*.ts']));
    expect(inStage('ims-emulator', 'COPY').map((i) => i.args)).toContain('test/support ./test/support');
    const cmd = JSON.parse(inStage('ims-emulator', 'CMD')[0]?.args ?? '[]') as string[];
    expect(cmd).toEqual(['node', 'dist/test/support/ims-emulator.js']);
    const runtimeSources = inStage(runtimeStage, 'COPY').map((i) => i.args);
    expect(runtimeSources.filter((args) => /ims-emulator|test\//.test(args))).toEqual([]);
    // The production build's tsconfig reads apps and libs only, and leaves out fixtures and the demo.
    const prodConfig = JSON.parse(readText('tsconfig.prod.json')) as { include: string[]; exclude: string[] };
    expect(prodConfig.include.every((glob) => /^(apps|libs)\//.test(glob))).toBe(true);
    expect(prodConfig.exclude).toEqual(expect.arrayContaining(['**/*.spec.ts', '**/*.fixtures.ts']));
  });
});
