import { spawnSync } from 'node:child_process';

/**
 * Command-line tools some deploy tests run (kubectl, promtool). CI installs them (.ci/run); where one is
 * missing the test that needs it skips and says why, rather than pass without checking.
 */

/** Whether `command --version`-like `args` runs and exits 0. */
export function hasTool(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return result.error === undefined && result.status === 0;
}

/** Runs `command args`; throws with its stderr when it fails. */
export function runTool(command: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024, ...(cwd ? { cwd } : {}) });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** `describe`, or `describe.skip` with the reason in the title when `available` is false. */
export function describeWithTool(available: boolean, tool: string, title: string, body: () => void): void {
  if (available) describe(title, body);
  else describe.skip(`${title} (skipped: ${tool} is not installed here; .ci/run installs it)`, body);
}
