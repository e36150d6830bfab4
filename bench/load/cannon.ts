/**
 * The serving load generator: autocannon, in a process of its own (spawned by the bench), so it never takes
 * the event loop of the server it measures. Input: one JSON argument; output: one JSON line.
 *
 * Latencies are recorded from autocannon's per-response event with sub-millisecond precision (its own
 * histogram keeps whole milliseconds, too coarse for a cache hit).
 */
import autocannon from 'autocannon';
import { systemBusyMs } from '../lib/proc';
import { type LatencySummary, round1, summarizeLatencies } from '../lib/stats';

export interface CannonInput {
  url: string;
  connections: number;
  durationSec: number;
  headers: Record<string, string>;
}

export interface CannonOutput {
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  elapsedSec: number;
  rps: number;
  latencyMs: LatencySummary;
  bytesPerResponse: number;
  generatorCpuMs: number;
  /** CPU used by every process on the machine during the run (to tell whether something else was running). */
  systemBusyMs: number;
}

function main(): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as CannonInput;
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const systemBefore = systemBusyMs();
  const instance = autocannon(
    { url: input.url, connections: input.connections, duration: input.durationSec, headers: input.headers, pipelining: 1, timeout: 10 },
    (error, result) => {
      if (error) {
        process.stderr.write(`autocannon failed: ${error.message}\n`);
        process.exit(1);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const systemMs = systemBusyMs() - systemBefore;
      const elapsedSec = (result.finish.getTime() - result.start.getTime()) / 1000;
      const output: CannonOutput = {
        ok2xx: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        elapsedSec,
        rps: round1(result['2xx'] / elapsedSec),
        latencyMs: summarizeLatencies(latencies.subarray(0, recorded)),
        bytesPerResponse: recorded > 0 ? Math.round(bytes / recorded) : 0,
        generatorCpuMs: Math.round((cpu.user + cpu.system) / 1000),
        systemBusyMs: Math.round(systemMs),
      };
      process.stdout.write(`${JSON.stringify(output)}\n`);
      process.exit(0);
    },
  );
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode >= 300) return;
    if (recorded === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[recorded++] = responseTime;
    bytes += resBytes;
  });
}

main();
