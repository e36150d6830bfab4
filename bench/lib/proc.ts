import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK; 100 on Linux). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used so far, in milliseconds (resolution: one clock tick). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 14 (utime) and 15 (stime) of proc(5); `fields` starts at field 3 (state).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerSecond();
}

/** Resident set size (VmRSS) of a process, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** CPU time of several processes, summed. */
export function cpuMsOf(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + cpuMs(pid), 0);
}

/** CPU time all processes on the machine have used (user, nice, system, irq, softirq, steal), in ms. */
export function systemBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((total, value) => total + (value ?? 0), 0);
  return (ticks * 1000) / ticksPerSecond();
}

/**
 * Waits (at most `maxWaitMs`) until the machine is quiet: over a 1 s sample, less than `maxBusyCores` of
 * CPU in use by anything. Others share this machine (builds, test runs); measuring during one of those is
 * measuring them. Returns the busy cores of the last sample and how long it waited.
 */
export async function waitForQuiet(maxWaitMs: number, maxBusyCores = 0.3): Promise<{ busyCores: number; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const before = systemBusyMs();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busyCores = (systemBusyMs() - before) / 1000;
    const waitedMs = Date.now() - started;
    if (busyCores < maxBusyCores || waitedMs >= maxWaitMs) return { busyCores: Math.round(busyCores * 100) / 100, waitedMs };
  }
}
