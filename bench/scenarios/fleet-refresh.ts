import { join } from 'node:path';
import type { BrokerProcess } from '../../test/support/broker-process';
import { type RedisServer, startRedis } from '../../test/support/redis-harness';
import type { BurstInput, BurstOutput } from '../load/burst';
import { brokerWarnings, scrapeMetrics, startBrokers, stopBrokers } from '../lib/brokers';
import { BENCH_SCRIPTS, NodeChild } from '../lib/child';
import type { BenchContext } from '../lib/context';
import { sleep, waitUntil } from '../lib/http';
import { histogramDelta, histogramOf, histogramQuantile, type Sample, sumOf } from '../lib/prometheus';
import { waitForQuiet } from '../lib/proc';
import { type LatencySummary, summarizeLatencies } from '../lib/stats';
import { BenchWorld } from '../lib/world';
import { type CallDistribution, distributionOf, UPSTREAM_DELAY_MS } from './upstream-economy';

const LONG_LIFETIME_SECONDS = 86_399;

export interface LockFigures {
  /** Where the figures come from: the brokers' `broker_lock_wait_seconds` histogram, or (without it) nothing. */
  source: 'metrics' | 'none';
  acquired?: number;
  contended?: number;
  waits?: number;
  /** Interpolated inside the histogram bucket, and the bucket's upper edge. */
  waitP99Seconds?: number;
  waitP99UpperBoundSeconds?: number;
  waitMaxBucketSeconds?: number;
  refreshes?: Record<string, number>;
}

export interface FleetRefreshResult {
  settings: {
    instances: number;
    credentials: number;
    tokenLifetimeSeconds: number;
    refreshAt: number;
    refreshJitter: number;
    upstreamDelayMs: number;
    probeRatePerSec: number;
    probeMinTtlSeconds: number;
  };
  /** Spawn → every broker answering /health/ready (connected to Redis). */
  bootMs: number;
  /** Every instance asks for every credential at once, nothing cached. */
  coldStart: { calls: CallDistribution; allServedMs: number; latencyMs: LatencySummary; statuses: Record<string, number>; lock: LockFigures };
  /** The background refresh of the tokens minted together in the cold start. */
  cycle: {
    calls: CallDistribution;
    completed: boolean;
    /** First to last upstream call of the cycle. */
    spanMs: number;
    lock: LockFigures;
    /** Client-visible latency of the steady probe requests sent while the cycle ran, and of the others. */
    probeDuringRefresh: LatencySummary;
    probeOutsideRefresh: LatencySummary;
    probeStatuses: Record<string, number>;
  };
  /** Credentials minted more than once in a phase, with the times of their upstream calls. */
  duplicates: { coldStart: { credential: string; callsAtMs: number[] }[]; cycle: { credential: string; callsAtMs: number[] }[] };
  /** What the brokers logged at warn and above, by message. */
  brokerWarnings: Record<string, number>;
  durationMs: number;
}

function lockFigures(after: Sample[][] | undefined, before: Sample[][] | undefined): LockFigures {
  if (!after) return { source: 'none' };
  const histogram = histogramOf(after, 'broker_lock_wait_seconds');
  if (!histogram) return { source: 'none' };
  const delta = histogramDelta(histogram, before ? histogramOf(before, 'broker_lock_wait_seconds') : undefined);
  const p99 = histogramQuantile(delta, 0.99);
  const counter = (name: string, labels: Record<string, string>): number =>
    sumOf(after.flat(), name, labels) - (before ? sumOf(before.flat(), name, labels) : 0);
  let maxBucket: number | undefined;
  let previous = 0;
  for (const bucket of delta.buckets) {
    if (bucket.count > previous) maxBucket = bucket.le;
    previous = bucket.count;
  }
  return {
    source: 'metrics',
    acquired: counter('broker_lock_acquisitions_total', { outcome: 'acquired' }),
    contended: counter('broker_lock_acquisitions_total', { outcome: 'contended' }),
    waits: delta.count,
    ...(p99 ? { waitP99Seconds: Math.round(p99.estimate * 10_000) / 10_000, waitP99UpperBoundSeconds: p99.upperBound } : {}),
    ...(maxBucket !== undefined ? { waitMaxBucketSeconds: maxBucket } : {}),
    refreshes: Object.fromEntries(['minted', 'adopted', 'failed'].map((outcome) => [outcome, counter('broker_token_refreshes_total', { outcome })])),
  };
}

/**
 * Scenario 4: 10 instances, 100 credentials whose tokens were minted together (a cold start) and so come
 * due together; refresh jitter off, so every instance's timer for a credential fires in the same
 * millisecond — the most contention the fleet can see. Target: one upstream call per credential per cycle.
 */
export async function runFleetRefresh(ctx: BenchContext): Promise<FleetRefreshResult> {
  const started = Date.now();
  const instances = ctx.quick ? 4 : 10;
  const credentials = ctx.quick ? 30 : 100;
  const lifetime = ctx.quick ? 30 : 60;
  const refreshAt = 0.5;
  const probeRatePerSec = ctx.quick ? 50 : 100;
  const world = await BenchWorld.create({ count: credentials, tokenLifetimeSeconds: lifetime, roles: ['admin'], tokens: { refreshAt, refreshJitter: 0 } });
  world.ims.delayMs = UPSTREAM_DELAY_MS;
  let redis: RedisServer | undefined;
  let brokers: BrokerProcess[] = [];
  try {
    redis = await startRedis();
    const redisUrl = redis.url;
    const bootStarted = Date.now();
    brokers = await startBrokers(instances, world.config, world.env({ redisUrl, auditLog: join(world.dir, 'audit.log'), logLevel: ctx.brokerLogLevel }), 120_000);
    const bootMs = Date.now() - bootStarted;
    ctx.log(`fleet-refresh: ${instances} brokers ready in ${bootMs} ms`);
    await waitForQuiet(ctx.quick ? 5_000 : 15_000);
    const targets = brokers.map((b) => b.url);

    // Cold start: every instance asks for every credential, all at once.
    const metrics0 = await scrapeMetrics(brokers, world.apiKey);
    const coldInput: BurstInput = {
      mode: 'burst',
      targets,
      apiKey: world.apiKey,
      credentialIds: [...world.ids],
      connectionsPerTarget: 64,
      timeoutMs: 30_000,
      total: instances * credentials,
    };
    const cold = await NodeChild.start(BENCH_SCRIPTS.burst, coldInput).result<BurstOutput>(60_000);
    const coldCalls = distributionOf(world.callsPerCredential());
    const coldRequests = world.ims.requests.length;
    const coldDuplicates = world.duplicates();
    const mintedAt = Math.max(...world.ims.requests.map((r) => r.receivedAt));
    world.ims.tokenLifetimeSeconds = LONG_LIFETIME_SECONDS;
    const metrics1 = await scrapeMetrics(brokers, world.apiKey);
    ctx.log(`fleet-refresh: cold start ${cold.sent} requests in ${cold.elapsedMs} ms, ${coldCalls.total} upstream calls (${JSON.stringify(cold.statuses)})`);

    // The cycle: due at refreshAt × lifetime after the cold-start mints. A steady probe runs across it.
    const dueAt = mintedAt + refreshAt * lifetime * 1000;
    const probeMs = Math.max(5_000, dueAt - Date.now() + 8_000);
    const probe = NodeChild.start(BENCH_SCRIPTS.burst, {
      mode: 'rate',
      targets,
      apiKey: world.apiKey,
      credentialIds: [...world.ids],
      connectionsPerTarget: 16,
      // Callers of 24 h tokens get them from memory with the default min_ttl (300 s); with 60 s tokens the
      // same cache hit needs a min_ttl below what is left when the refresh is due.
      query: `?min_ttl=${Math.floor(lifetime * 0.2)}`,
      timeoutMs: 30_000,
      ratePerSec: probeRatePerSec,
      durationMs: probeMs,
    } satisfies BurstInput);
    const completed = await waitUntil(() => world.ims.requests.length >= coldRequests + credentials, Math.max(0, dueAt - Date.now()) + 20_000, 200);
    // Stragglers (a second instance minting the same credential) would come right after: give them time.
    await sleep(3_000);
    const probeOut = await probe.result<BurstOutput>(probeMs + 60_000);
    const metrics2 = await scrapeMetrics(brokers, world.apiKey);
    const cycleRequests = world.ims.requests.slice(coldRequests);
    const cycleCalls = distributionOf(world.callsPerCredential(coldRequests));
    const first = Math.min(...cycleRequests.map((r) => r.receivedAt));
    const last = Math.max(...cycleRequests.map((r) => r.receivedAt));
    const records = probeOut.records ?? [];
    const inWindow = (r: { at: number }): boolean => r.at >= first - 200 && r.at <= last + UPSTREAM_DELAY_MS + 500;
    const during = records.filter(inWindow);
    const outside = records.filter((r) => !inWindow(r));
    const result: FleetRefreshResult = {
      settings: { instances, credentials, tokenLifetimeSeconds: lifetime, refreshAt, refreshJitter: 0, upstreamDelayMs: UPSTREAM_DELAY_MS, probeRatePerSec, probeMinTtlSeconds: Math.floor(lifetime * 0.2) },
      bootMs,
      coldStart: { calls: coldCalls, allServedMs: cold.elapsedMs, latencyMs: cold.latencyMs, statuses: cold.statuses, lock: lockFigures(metrics1, metrics0) },
      cycle: {
        calls: cycleCalls,
        completed,
        spanMs: cycleRequests.length ? last - first : 0,
        lock: lockFigures(metrics2, metrics1),
        probeDuringRefresh: summarizeLatencies(during.map((r) => r.ms)),
        probeOutsideRefresh: summarizeLatencies(outside.map((r) => r.ms)),
        probeStatuses: probeOut.statuses,
      },
      duplicates: { coldStart: coldDuplicates, cycle: world.duplicates(coldRequests) },
      brokerWarnings: brokerWarnings(brokers),
      durationMs: Date.now() - started,
    };
    ctx.log(
      `fleet-refresh: cycle ${cycleCalls.total} upstream calls for ${credentials} credentials over ${result.cycle.spanMs} ms; probe p99 during ${result.cycle.probeDuringRefresh.p99} ms (${during.length} requests), outside ${result.cycle.probeOutsideRefresh.p99} ms; lock wait p99 ${result.cycle.lock.waitP99Seconds ?? 'n/a'} s`,
    );
    return result;
  } finally {
    await stopBrokers(brokers);
    await redis?.stop();
    await world.close();
  }
}
