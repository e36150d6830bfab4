/**
 * `npm run soak [-- --runs 50 --credentials 300 --requests 3000]`: the cold-start soak under deliberate CPU
 * starvation. Each run starts a fresh redis-server and 3 fresh brokers (fleet mode), then sends every request
 * at once (request i to broker i mod 3, for credential i mod N); the emulated IMS answers after 100 ms. For
 * the whole run, one CPU-burning process per core competes with everything, and every broker also spins its
 * own event loop 300 ms out of every 1 s (BROKER_TEST_BLOCK_EVENT_LOOP). Reports upstream calls per
 * credential per run; the target is exactly one, every run. Writes bench/results/soak-<time>.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BrokerProcess } from '../test/support/broker-process';
import { type RedisServer, startRedis } from '../test/support/redis-harness';
import type { BurstInput, BurstOutput } from './load/burst';
import { brokerWarnings, startBrokers, stopBrokers } from './lib/brokers';
import { BENCH_SCRIPTS, NodeChild } from './lib/child';
import { BenchWorld } from './lib/world';
import { distributionOf, UPSTREAM_DELAY_MS } from './scenarios/upstream-economy';

const INSTANCES = 3;
const STARVATION = '300ms/1s';

interface SoakRun {
  run: number;
  upstreamCalls: number;
  exactlyOne: number;
  moreThanOne: number;
  none: number;
  max: number;
  statuses: Record<string, number>;
  allServedMs: number;
  duplicates: { credential: string; callsAtMs: number[] }[];
  brokerWarnings: Record<string, number>;
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** One busy-looping process per core: the brokers, Redis and the load generator all compete with them. */
function startCpuBurners(): ChildProcess[] {
  return cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function coldStart(run: number, credentials: number, requests: number): Promise<SoakRun> {
  const world = await BenchWorld.create({ count: credentials, tokens: { upstreamTimeout: '30s', callerWait: '60s' } });
  world.ims.delayMs = UPSTREAM_DELAY_MS;
  let redis: RedisServer | undefined;
  let brokers: BrokerProcess[] = [];
  try {
    redis = await startRedis();
    const env = world.env({ redisUrl: redis.url, extra: { BROKER_TEST_BLOCK_EVENT_LOOP: STARVATION } });
    brokers = await startBrokers(INSTANCES, world.config, env, 120_000);
    const input: BurstInput = {
      mode: 'burst',
      targets: brokers.map((b) => b.url),
      apiKey: world.apiKey,
      credentialIds: [...world.ids],
      connectionsPerTarget: 256,
      timeoutMs: 120_000,
      total: requests,
    };
    const burst = await NodeChild.start(BENCH_SCRIPTS.burst, input).result<BurstOutput>(240_000);
    const calls = distributionOf(world.callsPerCredential());
    return {
      run,
      upstreamCalls: calls.total,
      exactlyOne: calls.exactlyOne,
      moreThanOne: calls.moreThanOne,
      none: calls.none,
      max: calls.max,
      statuses: burst.statuses,
      allServedMs: burst.elapsedMs,
      duplicates: world.duplicates(),
      brokerWarnings: brokerWarnings(brokers),
    };
  } finally {
    await stopBrokers(brokers);
    await redis?.stop();
    await world.close();
  }
}

async function main(): Promise<void> {
  const runs = argument('runs', 50);
  const credentials = argument('credentials', 300);
  const requests = argument('requests', 3_000);
  const started = new Date();
  const burners = startCpuBurners();
  const results: SoakRun[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      const result = await coldStart(run, credentials, requests);
      results.push(result);
      process.stdout.write(
        `run ${run}/${runs}: ${result.upstreamCalls} upstream calls for ${credentials} credentials (exactly one: ${result.exactlyOne}, more: ${result.moreThanOne}, none: ${result.none}); statuses ${JSON.stringify(result.statuses)}; served in ${result.allServedMs} ms\n`,
      );
    }
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
  }
  const clean = results.filter((r) => r.exactlyOne === credentials).length;
  const summary = {
    started: started.toISOString(),
    settings: { instances: INSTANCES, credentials, requests, runs, upstreamDelayMs: UPSTREAM_DELAY_MS, cpuBurners: cpus().length, eventLoopBlock: STARVATION },
    cleanRuns: clean,
    upstreamCallsPerRun: results.map((r) => r.upstreamCalls),
    runs: results,
  };
  const dir = join(__dirname, '../../results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `soak-${started.toISOString().replace(/[:.]/g, '').slice(0, 15)}Z.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 1)}\n`);
  process.stdout.write(`${clean}/${runs} runs with exactly one upstream call per credential; upstream calls per run: ${summary.upstreamCallsPerRun.join(', ')}\n${file}\n`);
  if (clean !== runs) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
