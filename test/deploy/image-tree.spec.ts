import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseDockerfile, readText, ROOT } from './deploy-files';

/**
 * The files the runtime image holds, made without a Docker engine: the Dockerfile's build stage replayed in
 * a temporary directory (its COPY instructions, then its RUN steps), then what the runtime stage copies out
 * of it. Only `npm ci` is not replayed (no network installs in tests): the worktree's node_modules stands
 * in, which lockfile.spec.ts ties to the lockfile. The tree must hold the broker and brokerctl and no test
 * code: no emulators, fixtures, harness, specs or demo.
 */

// A full production compile on a shared machine.
jest.setTimeout(300_000);

const instructions = parseDockerfile(readText('Dockerfile'));
const build = instructions.filter((i) => i.stage === 'build');
const runtimeStage = instructions.filter((i) => i.instruction === 'FROM').at(-1)?.stage ?? '';
const runtimeCopies = instructions.filter((i) => i.stage === runtimeStage && i.instruction === 'COPY').map((i) => i.args.split(/\s+/));

/** Every file under `dir`, relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path)];
  });
}

describe('the runtime image file tree (Dockerfile build stage replayed)', () => {
  let work: string;
  let image: string;
  let files: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'image-tree-build-'));
    image = mkdtempSync(join(tmpdir(), 'image-tree-runtime-'));
    expect(build.find((i) => i.instruction === 'WORKDIR')?.args).toBe('/app');
    for (const step of build) {
      if (step.instruction === 'COPY') {
        const parts = step.args.split(/\s+/);
        const target = parts.at(-1) ?? '';
        const sources = parts.slice(0, -1);
        for (const source of sources) {
          const destination = target.endsWith('/') ? join(work, target, source.split('/').at(-1) ?? '') : join(work, target);
          mkdirSync(dirname(destination), { recursive: true });
          cpSync(join(ROOT, source), destination, { recursive: true });
        }
      } else if (step.instruction === 'RUN') {
        if (/^npm ci\b/.test(step.args)) {
          symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
          continue;
        }
        const result = spawnSync('bash', ['-c', step.args], { cwd: work, encoding: 'utf8', timeout: 280_000 });
        if (result.status !== 0) throw new Error(`RUN ${step.args} failed (${result.status}): ${result.stderr}${result.stdout}`);
      }
    }
    // The runtime stage's copies from the build stage and from the context.
    for (const parts of runtimeCopies) {
      const from = parts[0]?.startsWith('--from=') ? parts.shift()?.slice('--from='.length) : undefined;
      const [source = '', target = ''] = parts;
      if (from === 'deps') continue; // node_modules: production dependencies, from the lockfile
      const origin = from === 'build' ? join(work, relative('/app', source)) : join(ROOT, source);
      const destination = target.endsWith('/') ? join(image, target, source.split('/').at(-1) ?? '') : join(image, target);
      cpSync(origin, destination, { recursive: true });
    }
    files = walk(image);
  });

  afterAll(() => {
    for (const dir of [work, image]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the broker and brokerctl entry points the image runs', () => {
    const cmd = JSON.parse(instructions.find((i) => i.stage === runtimeStage && i.instruction === 'CMD')?.args ?? '[]') as string[];
    expect(files).toEqual(expect.arrayContaining([cmd[1], 'dist/apps/brokerctl/src/main.js', 'package.json']));
    expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(50);
  });

  it('holds no test code: no test/ tree, emulators, fixtures, specs, harness or demo', () => {
    const leaks = files.filter(
      (file) =>
        file.startsWith('dist/test/') ||
        /(^|\/)test\/support\//.test(file) ||
        /\.fixtures\.|\.spec\.|\.e2e-spec\.|emulator|(^|\/)demo[^/]*$/.test(file),
    );
    expect(leaks).toEqual([]);
    // Nor does any compiled file reach for one.
    const reaching = files
      .filter((file) => file.endsWith('.js'))
      .filter((file) => /require\("[./]*\/test\/|fixtures"\)/.test(readFileSync(join(image, file), 'utf8')));
    expect(reaching).toEqual([]);
  });

  it('loads: every module the broker app requires is in the tree (or a dependency)', () => {
    const app = join(image, 'dist/apps/broker/src/broker.app.js');
    expect(existsSync(app)).toBe(true);
    // Resolved against the worktree's node_modules, as the deps stage provides them in the image.
    symlinkSync(join(ROOT, 'node_modules'), join(image, 'node_modules'), 'dir');
    const output = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(app)}); console.log('loaded')`], { encoding: 'utf8', cwd: image });
    expect(output.trim()).toBe('loaded');
  });
});
