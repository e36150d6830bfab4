import { join } from 'node:path';
import type { BrokerProcess } from '../../test/support/broker-process';
import { type RedisServer, startRedis } from '../../test/support/redis-harness';
import type { BurstInput, BurstOutput } from '../load/burst';
import { brokerWarnings, scrapeMetrics, startBrokers, stopBrokers } from '../lib/brokers';
import { BENCH_SCRIPTS, NodeChild } from '../lib/child';
import type { BenchContext } from '../lib/context';
import type { TargetRow } from '../lib/targets';
import { histogramOf, histogramQuantile, sumOf } from '../lib/prometheus';
import { cpuMsOf, systemBusyMs, waitForQuiet } from '../lib/proc';
import type { LatencySummary } from '../lib/stats';
import { BenchWorld } from '../lib/world';

/** Emulated identity-provider latency: Adobe IMS answers in tens to hundreds of ms, not instantly. */
export const UPSTREAM_DELAY_MS = 100;

export interface CallDistribution {
  credentials: number;
  exactlyOne: number;
  none: number;
  moreThanOne: number;
  max: number;
  total: number;
}

/** One cold start: fresh Redis, fresh brokers, nothing cached, then the burst. */
export interface UpstreamRun {
  /** Spawn → every broker answering /health/ready (connected to Redis). */
  bootMs: number;
  calls: CallDistribution;
  /** From the first request sent to the last response received. */
  allServedMs: number;
  statuses: Record<string, number>;
  latencyMs: LatencySummary;
  /** CPU used during the burst, in ms: the brokers together, redis-server, and the whole machine. */
  cpuMs: { brokers: number; redis: number; machine: number };
  /** Credentials minted more than once, with the times of their upstream calls. */
  duplicates: { credential: string; callsAtMs: number[] }[];
  /** What the brokers logged at warn and above (and debug with --broker-log-level debug), by message. */
  brokerWarnings: Record<string, number>;
  /** From the brokers' /metrics when they have it: lock outcomes, lock wait, who minted. */
  lock?: {
    acquired: number;
    contended: number;
    unavailable: number;
    waitP99Seconds?: number;
    waitP99UpperBoundSeconds?: number;
    waits: number;
    /** `broker_token_refreshes_total{outcome="minted"}` of each broker: who made the upstream calls. */
    mintedPerInstance: number[];
  };
}

export interface UpstreamEconomyResult {
  settings: { instances: number; credentials: number; requests: number; connectionsPerInstance: number; upstreamDelayMs: number; secrets: string; repetitions: number };
  runs: UpstreamRun[];
  /** Issue 17's cold-start row. */
  targetRows: TargetRow[];
  durationMs: number;
}

/** Counts upstream calls per credential (the emulator's requests, by client id). */
export function distributionOf(counts: Map<string, number>): CallDistribution {
  const values = [...counts.values()];
  return {
    credentials: values.length,
    exactlyOne: values.filter((v) => v === 1).length,
    none: values.filter((v) => v === 0).length,
    moreThanOne: values.filter((v) => v > 1).length,
    max: Math.max(0, ...values),
    total: values.reduce((a, b) => a + b, 0),
  };
}

/**
 * Scenario 2: a cold fleet (3 brokers, one Redis, nothing cached) gets 10,000 concurrent requests for 1,000
 * credentials: every credential should cost exactly one upstream call, fleet-wide. Repeated from scratch
 * (full mode: 3 cold starts), since a coordination slip shows only now and then.
 */
export async function runUpstreamEconomy(ctx: BenchContext): Promise<UpstreamEconomyResult> {
  const started = Date.now();
  const settings = {
    instances: 3,
    credentials: ctx.quick ? 300 : 1_000,
    requests: ctx.quick ? 3_000 : 10_000,
    connectionsPerInstance: 256,
    upstreamDelayMs: UPSTREAM_DELAY_MS,
    secrets: 'source: file (one file per credential in a temp dir)',
    repetitions: ctx.quick ? 1 : 3,
  };
  const runs: UpstreamRun[] = [];
  for (let rep = 1; rep <= settings.repetitions; rep++) runs.push(await coldStart(ctx, settings, rep));
  return { settings, runs, targetRows: [coldStartRow(settings, runs)], durationMs: Date.now() - started };
}

async function coldStart(ctx: BenchContext, settings: UpstreamEconomyResult['settings'], rep: number): Promise<UpstreamRun> {
  const { instances, credentials, requests, connectionsPerInstance } = settings;
  const world = await BenchWorld.create({ count: credentials });
  world.ims.delayMs = UPSTREAM_DELAY_MS;
  let redis: RedisServer | undefined;
  let brokers: BrokerProcess[] = [];
  try {
    redis = await startRedis();
    const bootStarted = Date.now();
    const redisUrl = redis.url;
    brokers = await startBrokers(instances, world.config, world.env({ redisUrl, auditLog: join(world.dir, 'audit.log'), logLevel: ctx.brokerLogLevel }));
    const bootMs = Date.now() - bootStarted;
    ctx.log(`upstream #${rep}: ${instances} brokers ready in ${bootMs} ms; ${credentials} credentials, nothing cached`);
    await waitForQuiet(ctx.quick ? 5_000 : 10_000);
    const before = await scrapeMetrics(brokers, world.apiKey);

    const input: BurstInput = {
      mode: 'burst',
      targets: brokers.map((b) => b.url),
      apiKey: world.apiKey,
      credentialIds: [...world.ids],
      connectionsPerTarget: connectionsPerInstance,
      timeoutMs: 60_000,
      total: requests,
    };
    const pids = brokers.map((b) => b.pid);
    const redisPid = redis.pid ?? -1;
    const cpu0 = { brokers: cpuMsOf(pids), redis: cpuMsOf([redisPid]), machine: systemBusyMs() };
    const burst = await NodeChild.start(BENCH_SCRIPTS.burst, input).result<BurstOutput>(120_000);
    const cpuMs = {
      brokers: Math.round(cpuMsOf(pids) - cpu0.brokers),
      redis: Math.round(cpuMsOf([redisPid]) - cpu0.redis),
      machine: Math.round(systemBusyMs() - cpu0.machine),
    };
    const calls = distributionOf(world.callsPerCredential());
    ctx.log(
      `upstream #${rep}: ${burst.sent} requests served in ${burst.elapsedMs} ms (statuses ${JSON.stringify(burst.statuses)}); upstream calls ${calls.total} for ${calls.credentials} credentials (exactly one: ${calls.exactlyOne}, more: ${calls.moreThanOne}, none: ${calls.none})`,
    );

    const after = await scrapeMetrics(brokers, world.apiKey);
    let lock: UpstreamRun['lock'];
    if (after) {
      const wait = histogramOf(after, 'broker_lock_wait_seconds');
      const p99 = wait ? histogramQuantile(wait, 0.99) : undefined;
      const delta = (outcome: string): number =>
        sumOf(after.flat(), 'broker_lock_acquisitions_total', { outcome }) - (before ? sumOf(before.flat(), 'broker_lock_acquisitions_total', { outcome }) : 0);
      lock = {
        acquired: delta('acquired'),
        contended: delta('contended'),
        unavailable: delta('unavailable'),
        waits: wait?.count ?? 0,
        mintedPerInstance: after.map((samples) => sumOf(samples, 'broker_token_refreshes_total', { outcome: 'minted' })),
        ...(p99 ? { waitP99Seconds: Math.round(p99.estimate * 1000) / 1000, waitP99UpperBoundSeconds: p99.upperBound } : {}),
      };
    }
    return {
      bootMs,
      calls,
      allServedMs: burst.elapsedMs,
      statuses: burst.statuses,
      latencyMs: burst.latencyMs,
      cpuMs,
      duplicates: world.duplicates(),
      brokerWarnings: brokerWarnings(brokers),
      ...(lock ? { lock } : {}),
    };
  } finally {
    await stopBrokers(brokers);
    await redis?.stop();
    await world.close();
  }
}

/** The sizes of issue 17's cold-start target: 3 brokers, 1,000 credentials, 10,000 requests at once. */
const COLD_START_TARGET = { instances: 3, credentials: 1_000, requests: 10_000 } as const;

/**
 * Issue 17's cold-start row: every request answered 200 in every cold start, and when the last caller was
 * served (the exactly-one-call guarantee is reported by this scenario's own table). Not judged at other sizes.
 */
export function coldStartRow(settings: UpstreamEconomyResult['settings'], runs: readonly UpstreamRun[]): TargetRow {
  const served = runs.map((r) => r.statuses['200'] ?? 0);
  const allServed = runs.length > 0 && served.every((n) => n === settings.requests);
  const times = runs.map((r) => r.allServedMs);
  const sized = settings.instances === COLD_START_TARGET.instances && settings.credentials === COLD_START_TARGET.credentials && settings.requests === COLD_START_TARGET.requests;
  const seconds = (msValue: number): string => (msValue / 1000).toFixed(1);
  return {
    id: 'upstream.coldStart',
    what: `cold start, ${settings.instances} brokers, ${settings.credentials.toLocaleString('en-US')} credentials, ${settings.requests.toLocaleString('en-US')} concurrent requests`,
    target: 'all served; the time until the last caller is served reported',
    measured: `${served.map((n) => n.toLocaleString('en-US')).join(' / ')} of ${settings.requests.toLocaleString('en-US')} answered 200 in ${runs.length} cold start(s); last caller served after ${times.length ? `${seconds(Math.min(...times))}–${seconds(Math.max(...times))} s` : 'n/a'}`,
    met: sized ? allServed : null,
  };
}
