import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitUntil } from '../support/broker-http';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How long to wait for a rebuild of dist/ (another `npm run build` empties it first) before giving up. */
const REBUILD_WAIT_MS = 60_000;

/**
 * Runs a compiled entry point asynchronously with exactly `env` (callers in this process, such as fake
 * servers, keep answering meanwhile). dist/ is shared with any concurrent `npm run build`, which deletes it
 * before compiling: when the file is missing, this waits for it to come back and runs again.
 */
export async function runCompiled(entry: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  for (;;) {
    await waitUntil(() => existsSync(entry), `${entry} (run \`npm run build\`)`, REBUILD_WAIT_MS, 200);
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [entry, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });
    const vanished = run.code !== 0 && run.stderr.includes('MODULE_NOT_FOUND') && !existsSync(entry);
    if (!vanished) return run;
  }
}
