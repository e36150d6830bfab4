import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under `dir` (ms), 0 when it does not exist. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    } catch {
      // removed while listing: a build is running; the caller waits for quiet anyway
    }
  }
  return latest;
}

/**
 * Copies the compiled broker (dist/apps, dist/libs) next to the compiled bench, so that
 * `test/support/broker-process.ts` (which runs `../../dist/apps/broker/src/main.js` relative to itself)
 * starts THIS snapshot: other people rebuild dist/ while the bench runs, and one run must test one build.
 * Waits (at most `maxWaitMs`) for dist/ to exist and to have been left alone for 3 s (a build in progress).
 * Packages still resolve from the repository's node_modules (the snapshot lives inside the repository).
 */
export async function snapshotBrokerBuild(root: string, buildDir: string, maxWaitMs = 180_000): Promise<string> {
  const source = join(root, 'dist');
  const main = join(source, 'apps/broker/src/main.js');
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const settled = existsSync(main) && Date.now() - newestMtime(source) > 3_000;
    if (settled) break;
    if (Date.now() > deadline) throw new Error(`no settled compiled broker at ${main} within ${maxWaitMs} ms: run npm run build`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const target = join(buildDir, 'dist');
  rmSync(target, { recursive: true, force: true });
  for (const part of ['apps', 'libs']) cpSync(join(source, part), join(target, part), { recursive: true });
  return join(target, 'apps/broker/src/main.js');
}
