import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** What the figures were measured on; written next to every result. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  redisServer: string;
  autocannon: string;
}

export function describeMachine(root: string): MachineInfo {
  const cpuinfo = safe(() => readFileSync('/proc/cpuinfo', 'utf8'), '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const redis = safe(() => execFileSync('redis-server', ['--version'], { encoding: 'utf8' }), '');
  const autocannon = safe(() => (JSON.parse(readFileSync(`${root}/node_modules/autocannon/package.json`, 'utf8')) as { version: string }).version, 'missing');
  return {
    cpuModel: model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redisServer: /v=(\S+)/.exec(redis)?.[1] ?? 'unknown',
    autocannon,
  };
}

/** One line for the docs: "2 cores, Intel(R) Xeon(R) Processor, 24 GiB, Node v24.21.0, Linux 6.1". */
export function machineLine(machine: MachineInfo): string {
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}, redis-server ${machine.redisServer}, autocannon ${machine.autocannon}`;
}

export interface BuildInfo {
  gitHead: string;
  dirtyFiles: number;
}

/** The commit the bench ran on, and how many files differed from it (others edit the tree concurrently). */
export function describeBuild(root: string): BuildInfo {
  const git = (...args: string[]): string => safe(() => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim(), '');
  return { gitHead: git('rev-parse', '--short', 'HEAD') || 'unknown', dirtyFiles: git('status', '--porcelain').split('\n').filter(Boolean).length };
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
