import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

let setprivPath: string | null | undefined;

/**
 * On Linux, wraps the command in `setpriv --pdeathsig KILL` (util-linux, present on
 * every Debian): the kernel then kills the server as soon as the process that
 * spawned it dies, however it dies. setpriv exec()s, so the pid is redis-server's.
 */
export function withParentDeathSignal(file: string, args: string[]): [string, string[]] {
  if (setprivPath === undefined) {
    const dirs = process.platform === 'linux' ? (process.env['PATH'] ?? '').split(delimiter) : [];
    setprivPath = dirs.map((d) => join(d, 'setpriv')).find((candidate) => existsSync(candidate)) ?? null;
  }
  return setprivPath === null ? [file, args] : [setprivPath, ['--pdeathsig', 'KILL', '--', file, ...args]];
}
