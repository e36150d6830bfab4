import { readText } from './deploy-files';

/**
 * package-lock.json is what `npm ci` installs from (the Dockerfile, ./dev): it must agree with package.json
 * and hold every platform's optional native binaries, or `npm ci` fails on a platform the lockfile was not
 * made on ("Missing: @swc/core-linux-arm64-gnu from lock file").
 */

interface LockedPackage {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readText('package-lock.json')) as { lockfileVersion: number; packages: Record<string, LockedPackage> };
const manifest = JSON.parse(readText('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const packages = lock.packages;

/** Where npm resolves `name` required from the package at `from`: nested first, then each parent up to the root. */
function resolve(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The platforms the broker is built and developed on. */
const PLATFORMS = [
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { os: 'darwin', cpu: 'arm64', libc: undefined },
] as const;

function runsOn(entry: LockedPackage, platform: (typeof PLATFORMS)[number]): boolean {
  const fits = (list: readonly string[] | undefined, value: string | undefined): boolean =>
    list === undefined || value === undefined || list.includes(value) || (list.some((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  return fits(entry.os, platform.os) && fits(entry.cpu, platform.cpu) && (entry.libc === undefined || platform.libc === undefined || entry.libc.includes(platform.libc));
}

describe('package-lock.json', () => {
  it('is a v3 lockfile that matches package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(packages['']?.dependencies).toEqual(manifest.dependencies);
    expect(packages['']?.devDependencies).toEqual(manifest.devDependencies);
  });

  it('records every optional dependency of every package, whatever the platform', () => {
    const missing = Object.entries(packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {}).flatMap((name) => (resolve(path, name) ? [] : [`${path || '<root>'} -> ${name}`])),
    );
    expect(missing).toEqual([]);
  });

  it('holds the native binaries of linux-x64, linux-arm64 and darwin-arm64 with their integrity', () => {
    let parents = 0;
    for (const [path, entry] of Object.entries(packages)) {
      const binaries = Object.keys(entry.optionalDependencies ?? {})
        .map((name) => resolve(path, name))
        .flatMap((resolved) => (resolved && (packages[resolved]?.os || packages[resolved]?.cpu) ? [packages[resolved] as LockedPackage] : []));
      if (binaries.length === 0) continue;
      parents += 1;
      for (const platform of PLATFORMS) {
        const fitting = binaries.filter((binary) => runsOn(binary, platform));
        expect({ package: path, platform, found: fitting.length > 0 }).toEqual({ package: path, platform, found: true });
        // Without `resolved`, npm fetches name@version from the configured registry; the integrity pins it.
        for (const binary of fitting) expect(binary).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), integrity: expect.stringMatching(/^sha512-/) });
      }
    }
    // @swc/core at least: the check cannot pass vacuously.
    expect(parents).toBeGreaterThanOrEqual(1);
    expect(packages['node_modules/@swc/core-darwin-arm64']).toBeDefined();
  });
});

describe('package.json', () => {
  it('switches off Scarf, the install-time analytics swagger-ui-dist pulls in', () => {
    // @scarf/scarf's postinstall reports to its vendor unless the root package says `enabled: false`
    // (it compares with === false): dev machines, CI and image builds then send nothing.
    expect(packages['node_modules/@scarf/scarf']).toBeDefined();
    const settings = (JSON.parse(readText('package.json')) as { scarfSettings?: { enabled?: unknown } }).scarfSettings;
    expect(settings?.enabled).toBe(false);
  });
});
