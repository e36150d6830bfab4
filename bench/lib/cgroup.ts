import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * A memory cgroup with a limit, for running a broker the way the shipped Deployment does: Node sizes V8's heap
 * from the cgroup's limit (`process.constrainedMemory()`), so a broker on a 24 GiB host and the same broker in
 * a pod with `limits.memory: 256Mi` run with very different heaps (young generation 64–128 MiB against 1–2 MiB).
 */
export interface MemoryCgroup {
  readonly limitMiB: number;
  /** Write a pid here to move that process into the cgroup (children inherit it). */
  readonly procsFile: string;
  /** How often usage hit the limit (reclaim under pressure); cgroup v1 `memory.failcnt`, v2 `memory.events` max. */
  limitHits(): number;
  /** Removes the cgroup (its processes must have exited). */
  remove(): void;
}

/** The container's `resources.limits.memory` in deploy/kubernetes/deployment.yaml, in MiB. */
export function deploymentMemoryLimitMiB(root: string): number {
  const manifest = parse(readFileSync(join(root, 'deploy/kubernetes/deployment.yaml'), 'utf8')) as {
    spec?: { template?: { spec?: { containers?: Array<{ resources?: { limits?: { memory?: string } } }> } } };
  };
  const limit = manifest.spec?.template?.spec?.containers?.[0]?.resources?.limits?.memory;
  const match = /^(\d+)(Mi|Gi)$/.exec(limit ?? '');
  if (!match) throw new Error(`deployment.yaml: limits.memory ${String(limit)} is not <n>Mi or <n>Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/**
 * A child of this process's memory cgroup with `limitMiB`, or why there cannot be one here (no write access
 * to the cgroup tree, or cgroup v2 without the memory controller delegated to us).
 */
export function createMemoryCgroup(limitMiB: number, name = `token-broker-bench-${process.pid}`): MemoryCgroup | { unavailable: string } {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v1 = lines.map((line) => /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/.exec(line)?.[1]).find((path) => path !== undefined);
  const v2 = lines.map((line) => /^0::(.*)$/.exec(line)?.[1]).find((path) => path !== undefined);
  const bytes = String(limitMiB * 1024 * 1024);
  try {
    if (v1 !== undefined && existsSync('/sys/fs/cgroup/memory')) {
      const dir = join('/sys/fs/cgroup/memory', v1, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
      writeFileSync(join(dir, 'memory.failcnt'), '0');
      return {
        limitMiB,
        procsFile: join(dir, 'cgroup.procs'),
        limitHits: () => Number(readFileSync(join(dir, 'memory.failcnt'), 'utf8').trim()),
        remove: () => rmdirSync(dir),
      };
    }
    if (v2 !== undefined) {
      const parent = join('/sys/fs/cgroup', v2);
      if (!readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').includes('memory')) {
        return { unavailable: `cgroup v2: the memory controller is not enabled for children of ${parent}` };
      }
      const dir = join(parent, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), bytes);
      const hits = (): number => Number(/^max (\d+)$/m.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0);
      const before = hits();
      return { limitMiB, procsFile: join(dir, 'cgroup.procs'), limitHits: () => hits() - before, remove: () => rmdirSync(dir) };
    }
    return { unavailable: 'no memory cgroup in /proc/self/cgroup' };
  } catch (error) {
    return { unavailable: `cannot create a memory cgroup: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}
