import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { BrokerProcess } from '../../test/support/broker-process';
import { freePort } from '../../test/support/free-port';
import { type RedisServer, startRedis } from '../../test/support/redis-harness';
import type { BaselineInput } from '../servers/baseline';
import type { CannonInput, CannonOutput } from '../load/cannon';
import type { BenchContext } from '../lib/context';
import { BENCH_SCRIPTS, NodeChild } from '../lib/child';
import { type ProfileSummary, summarizeProfile } from '../lib/cpuprofile';
import { waitUntilReady } from '../lib/brokers';
import { httpGet } from '../lib/http';
import { cpuMsOf, waitForQuiet } from '../lib/proc';
import { median, round1, round2, round3 } from '../lib/stats';
import { BenchWorld } from '../lib/world';
import type { TargetRow } from '../lib/targets';

export type ServingTarget = 'baseline' | 'broker-local' | 'broker-fleet';
const TARGETS: readonly ServingTarget[] = ['baseline', 'broker-local', 'broker-fleet'];
const CREDENTIAL_ID = 'aep-bench';
/**
 * A run during which other processes used more than this share of a core is repeated (at most twice, and
 * within a time budget for the whole scenario); the cleanest attempt is kept, and its figure reported.
 */
const MAX_FOREIGN_CPU_PERCENT = 25;
const MAX_RETRIES_PER_RUN = 2;

/**
 * The targets of issue 17, at 64 connections and in both modes: broker ≥ 0.85 × the baseline in requests per
 * second and in requests per CPU-second; p99 ≤ 1.3 × the baseline's p99 of the same run, and under 5 ms
 * where the baseline's own is.
 */
export const SERVING_TARGETS = { connections: 64, minRatio: 0.85, minRatioPerCpu: 0.85, maxP99Factor: 1.3, p99CapMs: 5 } as const;

/** The p99 a broker mode may have at most, given the baseline's p99 in the same run. */
export function p99LimitMs(baselineP99Ms: number): number {
  const relative = SERVING_TARGETS.maxP99Factor * baselineP99Ms;
  return baselineP99Ms < SERVING_TARGETS.p99CapMs ? Math.min(relative, SERVING_TARGETS.p99CapMs) : relative;
}

export interface ServingTargetCheck {
  mode: 'broker-local' | 'broker-fleet';
  ratio: number;
  ratioPerCpu: number;
  p99Ms: number;
  baselineP99Ms: number;
  p99LimitMs: number;
  ratioMet: boolean;
  ratioPerCpuMet: boolean;
  p99Met: boolean;
}

export interface ServingRun {
  rep: number;
  target: ServingTarget;
  connections: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** CPU of the server process(es) during the run, in % of one core (fleet: broker + redis-server). */
  serverCpuPercent: number;
  generatorCpuPercent: number;
  /** CPU used by processes other than the server(s) and the generator, in % of one core (others' builds). */
  foreignCpuPercent: number;
  /** 1 unless the run was repeated because something else was using the machine. */
  attempts: number;
}

export interface ServingCell {
  target: ServingTarget;
  connections: number;
  /** Medians over the repetitions. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuPercent: number;
  generatorCpuPercent: number;
  foreignCpuPercent: number;
  /** rps / baseline rps at the same concurrency (medians); 1 for the baseline. */
  ratio: number;
  /**
   * Requests served per second of server CPU (median over runs), and its ratio to the baseline's: the cost
   * of a request, which holds up when other processes take CPU from the server while it is measured.
   */
  requestsPerCpuSecond: number;
  ratioPerCpu: number;
  /** min–max of rps over the repetitions. */
  rpsRange: [number, number];
}

export interface ParityCheck {
  target: ServingTarget;
  status: number;
  bodyBytes: number;
  headers: string[];
}

export interface ServingResult {
  settings: { reps: number; durationSec: number; warmupSec: number; concurrency: number[]; logLevel: string; auditDestination: string };
  parity: ParityCheck[];
  cells: ServingCell[];
  runs: ServingRun[];
  targets: ServingTargetCheck[];
  /** Issue 17's rows: throughput, throughput per CPU-second and p99, each mode. */
  targetRows: TargetRow[];
  profiles: { target: ServingTarget; summary: ProfileSummary; rpsWhileProfiling: number }[];
  durationMs: number;
}

interface Server {
  readonly target: ServingTarget;
  readonly url: string;
  readonly pids: () => number[];
  stop(): Promise<unknown>;
}

/**
 * Scenario 1: serving throughput and latency of a cache hit, broker (in-process and fleet mode) against a
 * bare node:http baseline doing the same work, same load generator, interleaved runs, medians.
 */
export async function runServing(ctx: BenchContext, options: { profile: 'auto' | 'always' | 'never' }): Promise<ServingResult> {
  const started = Date.now();
  const reps = ctx.quick ? 1 : 3;
  const durationSec = ctx.quick ? 3 : 5;
  const warmupSec = ctx.quick ? 1 : 3;
  const concurrency = [1, 16, 64, 256];
  const world = await BenchWorld.create({ ids: [CREDENTIAL_ID], grant: [CREDENTIAL_ID] });
  const servers: Server[] = [];
  let redis: RedisServer | undefined;
  try {
    redis = await startRedis();
    const redisPid = redis.pid ?? -1;
    const brokerServer = async (target: ServingTarget, env: Record<string, string>): Promise<Server> => {
      const broker = await BrokerProcess.start({ config: world.config, env });
      await waitUntilReady(broker);
      return { target, url: broker.url, pids: () => (target === 'broker-fleet' ? [broker.pid, redisPid] : [broker.pid]), stop: () => broker.stop() };
    };
    const local = await brokerServer('broker-local', world.env({ auditLog: join(world.dir, 'audit-local.log') }));
    servers.push(local);
    const fleet = await brokerServer('broker-fleet', world.env({ auditLog: join(world.dir, 'audit-fleet.log'), redisUrl: redis.url }));
    servers.push(fleet);

    // Prime both brokers (one mint each), and give the baseline the very same token.
    const auth = { authorization: `Bearer ${world.apiKey}` };
    const first = await httpGet(`${local.url}/v1/tokens/${CREDENTIAL_ID}`, auth);
    const primedFleet = await httpGet(`${fleet.url}/v1/tokens/${CREDENTIAL_ID}`, auth);
    if (first.status !== 200 || primedFleet.status !== 200) throw new Error(`priming failed: ${first.status} ${first.body} / ${primedFleet.status} ${primedFleet.body}`);
    const token = JSON.parse(first.body) as { access_token: string; expires_at: string };
    const baselinePort = await freePort();
    const baselineInput: BaselineInput = {
      port: baselinePort,
      auditLog: join(world.dir, 'audit-baseline.log'),
      callerId: 'bench',
      apiKeySha256: createHash('sha256').update(world.apiKey).digest('hex'),
      grant: [CREDENTIAL_ID],
      credentialId: CREDENTIAL_ID,
      accessToken: token.access_token,
      expiresAt: Date.parse(token.expires_at),
    };
    const baselineChild = NodeChild.start(BENCH_SCRIPTS.baseline, baselineInput);
    await baselineChild.waitFor('ready', 10_000);
    const baseline: Server = { target: 'baseline', url: `http://127.0.0.1:${baselinePort}`, pids: () => [baselineChild.pid], stop: () => baselineChild.stop() };
    servers.unshift(baseline);
    const byTarget = new Map(servers.map((s) => [s.target, s]));

    const parity: ParityCheck[] = [];
    for (const server of servers) {
      const response = await httpGet(`${server.url}/v1/tokens/${CREDENTIAL_ID}`, auth);
      const ignored = new Set(['date', 'connection', 'keep-alive']);
      parity.push({
        target: server.target,
        status: response.status,
        bodyBytes: Buffer.byteLength(response.body),
        headers: Object.keys(response.headers).filter((h) => !ignored.has(h)).sort(),
      });
    }
    ctx.log(`serving: parity ${parity.map((p) => `${p.target} ${p.status} ${p.bodyBytes} B [${p.headers.join(',')}]`).join(' | ')}`);

    const cannon = async (server: Server, connections: number, seconds: number): Promise<{ out: CannonOutput; serverCpuMs: number }> => {
      const input: CannonInput = { url: `${server.url}/v1/tokens/${CREDENTIAL_ID}`, connections, durationSec: seconds, headers: auth };
      const cpuBefore = cpuMsOf(server.pids());
      const child = NodeChild.start(BENCH_SCRIPTS.cannon, input);
      const out = await child.result<CannonOutput>((seconds + 30) * 1000);
      return { out, serverCpuMs: cpuMsOf(server.pids()) - cpuBefore };
    };

    const quiet = await waitForQuiet(ctx.quick ? 5_000 : 60_000);
    ctx.log(`serving: machine busy ${quiet.busyCores} cores before the runs (waited ${quiet.waitedMs} ms for quiet)`);
    for (const server of servers) {
      ctx.log(`serving: warm-up ${server.target} ${warmupSec}s at 64 connections`);
      await cannon(server, 64, warmupSec);
    }

    const runs: ServingRun[] = [];
    let retrySpentMs = 0;
    for (let rep = 1; rep <= reps; rep++) {
      for (const connections of concurrency) {
        for (const target of TARGETS) {
          const server = byTarget.get(target) as Server;
          let run: ServingRun | undefined;
          for (let attempt = 1; ; attempt++) {
            const { out, serverCpuMs } = await cannon(server, connections, durationSec);
            const windowMs = out.elapsedSec * 1000;
            const candidate: ServingRun = {
              rep,
              target,
              connections,
              rps: out.rps,
              p50Ms: out.latencyMs.p50,
              p99Ms: out.latencyMs.p99,
              maxMs: out.latencyMs.max,
              non2xx: out.non2xx,
              errors: out.errors + out.timeouts,
              serverCpuPercent: round1((serverCpuMs / windowMs) * 100),
              generatorCpuPercent: round1((out.generatorCpuMs / windowMs) * 100),
              foreignCpuPercent: round1(Math.max(0, ((out.systemBusyMs - serverCpuMs - out.generatorCpuMs) / windowMs) * 100)),
              attempts: attempt,
            };
            if (!run || candidate.foreignCpuPercent < run.foreignCpuPercent) run = { ...candidate, attempts: attempt };
            else run.attempts = attempt;
            const budgetLeft = (ctx.quick ? 20_000 : 60_000) - retrySpentMs;
            if (candidate.foreignCpuPercent <= MAX_FOREIGN_CPU_PERCENT || attempt > MAX_RETRIES_PER_RUN || budgetLeft <= 0) break;
            ctx.log(`serving: rep ${rep} c=${connections} ${target}: other processes used ${candidate.foreignCpuPercent}% of a core; repeating`);
            const retryStarted = Date.now();
            await waitForQuiet(Math.min(10_000, budgetLeft));
            retrySpentMs += Date.now() - retryStarted + durationSec * 1000;
          }
          runs.push(run);
          ctx.log(
            `serving: rep ${rep} c=${connections} ${target}: ${run.rps} req/s p50 ${run.p50Ms} ms p99 ${run.p99Ms} ms cpu ${run.serverCpuPercent}% gen ${run.generatorCpuPercent}% other ${run.foreignCpuPercent}%${run.non2xx || run.errors ? ` non2xx ${run.non2xx} errors ${run.errors}` : ''}`,
          );
        }
      }
    }

    const cells: ServingCell[] = [];
    const perCpu = (r: ServingRun): number => (r.serverCpuPercent > 0 ? r.rps / (r.serverCpuPercent / 100) : Number.NaN);
    for (const connections of concurrency) {
      const baselineRuns = runs.filter((r) => r.target === 'baseline' && r.connections === connections);
      const baselineRps = median(baselineRuns.map((r) => r.rps));
      const baselinePerCpu = median(baselineRuns.map(perCpu));
      for (const target of TARGETS) {
        const mine = runs.filter((r) => r.target === target && r.connections === connections);
        const rps = median(mine.map((r) => r.rps));
        const requestsPerCpuSecond = median(mine.map(perCpu));
        cells.push({
          target,
          connections,
          rps: round1(rps),
          p50Ms: round3(median(mine.map((r) => r.p50Ms))),
          p99Ms: round3(median(mine.map((r) => r.p99Ms))),
          serverCpuPercent: round1(median(mine.map((r) => r.serverCpuPercent))),
          generatorCpuPercent: round1(median(mine.map((r) => r.generatorCpuPercent))),
          foreignCpuPercent: round1(median(mine.map((r) => r.foreignCpuPercent))),
          ratio: round2(rps / baselineRps),
          requestsPerCpuSecond: Math.round(requestsPerCpuSecond),
          ratioPerCpu: round2(requestsPerCpuSecond / baselinePerCpu),
          rpsRange: [Math.min(...mine.map((r) => r.rps)), Math.max(...mine.map((r) => r.rps))],
        });
      }
    }
    const baselineCell = cells.find((c) => c.target === 'baseline' && c.connections === SERVING_TARGETS.connections) as ServingCell;
    const targets = (['broker-local', 'broker-fleet'] as const).map((mode): ServingTargetCheck => {
      const cell = cells.find((c) => c.target === mode && c.connections === SERVING_TARGETS.connections) as ServingCell;
      const limit = p99LimitMs(baselineCell.p99Ms);
      return {
        mode,
        ratio: cell.ratio,
        ratioPerCpu: cell.ratioPerCpu,
        p99Ms: cell.p99Ms,
        baselineP99Ms: baselineCell.p99Ms,
        p99LimitMs: round3(limit),
        ratioMet: cell.ratio >= SERVING_TARGETS.minRatio,
        ratioPerCpuMet: cell.ratioPerCpu >= SERVING_TARGETS.minRatioPerCpu,
        p99Met: cell.p99Ms <= limit,
      };
    });
    const targetRows = servingTargetRows(targets);

    // Where the time goes: a CPU profile of each broker mode that missed a target (and of the baseline, to compare).
    const profiles: ServingResult['profiles'] = [];
    const missed = targets.filter((t) => !t.ratioMet || !t.p99Met).map((t) => t.mode);
    // Quick runs check the bench, not the broker: they profile only when asked to (--profile always).
    const auto = ctx.quick ? [] : missed.length ? (['baseline', ...missed] as ServingTarget[]) : [];
    const toProfile: ServingTarget[] = options.profile === 'never' ? [] : options.profile === 'always' ? [...TARGETS] : auto;
    if (toProfile.length) {
      for (const server of servers) await server.stop();
      servers.length = 0;
      const profileDir = join(ctx.artefactsDir, 'profiles');
      mkdirSync(profileDir, { recursive: true });
      for (const target of toProfile) {
        const name = `serving-${target}-${Date.now()}.cpuprofile`;
        const nodeOptions = `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${name}`;
        let server: Server;
        if (target === 'baseline') {
          const port = await freePort();
          const child = NodeChild.start(BENCH_SCRIPTS.baseline, { ...baselineInput, port, auditLog: join(world.dir, 'audit-profile.log') }, { nodeArgs: nodeOptions.split(' ') });
          await child.waitFor('ready', 10_000);
          server = { target, url: `http://127.0.0.1:${port}`, pids: () => [child.pid], stop: () => child.stop(15_000) };
        } else {
          const env = world.env({
            auditLog: join(world.dir, `audit-profile-${target}.log`),
            ...(target === 'broker-fleet' ? { redisUrl: redis.url } : {}),
            extra: { NODE_OPTIONS: nodeOptions },
          });
          const broker = await BrokerProcess.start({ config: world.config, env });
          await httpGet(`${broker.url}/v1/tokens/${CREDENTIAL_ID}`, auth);
          server = { target, url: broker.url, pids: () => [broker.pid], stop: () => broker.stop(15_000) };
        }
        await cannon(server, SERVING_TARGETS.connections, warmupSec);
        const { out } = await cannon(server, SERVING_TARGETS.connections, durationSec);
        await server.stop();
        const file = join(profileDir, name);
        if (!existsSync(file)) {
          ctx.log(`serving: no profile written for ${target} (${readdirSync(profileDir).join(', ')})`);
          continue;
        }
        const summary = summarizeProfile(file, { lastMs: (durationSec + 1) * 1000 });
        profiles.push({ target, summary, rpsWhileProfiling: out.rps });
        ctx.log(`serving: profiled ${target} at ${out.rps} req/s: top ${summary.topSelf.slice(0, 3).map((r) => `${r.name} ${r.percentBusy}%`).join('; ')}`);
      }
    }

    return {
      settings: {
        reps,
        durationSec,
        warmupSec,
        concurrency,
        logLevel: 'warn',
        auditDestination: 'file (AUDIT_LOG) through pino.destination / sonic-boom, async; the baseline writes the same kind of line the same way',
      },
      parity,
      cells,
      runs,
      targets,
      targetRows,
      profiles,
      durationMs: Date.now() - started,
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    await redis?.stop();
    await world.close();
  }
}

/** Issue 17's serving rows, from the checks at 64 connections. */
function servingTargetRows(checks: readonly ServingTargetCheck[]): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const check of checks) {
    const mode = check.mode === 'broker-local' ? 'in-process' : 'fleet';
    const key = check.mode === 'broker-local' ? 'local' : 'fleet';
    const at = `cache hit, ${SERVING_TARGETS.connections} connections, ${mode}`;
    rows.push(
      { id: `serving.ratio.${key}`, what: `${at}: req/s, broker / bare node:http`, target: `≥ ${SERVING_TARGETS.minRatio}`, measured: check.ratio.toFixed(2), met: check.ratioMet },
      { id: `serving.perCpu.${key}`, what: `${at}: req per CPU-second, broker / bare node:http`, target: `≥ ${SERVING_TARGETS.minRatioPerCpu}`, measured: check.ratioPerCpu.toFixed(2), met: check.ratioPerCpuMet },
      {
        id: `serving.p99.${key}`,
        what: `${at}: p99`,
        target: `≤ ${SERVING_TARGETS.maxP99Factor} × baseline p99 (${check.baselineP99Ms} ms)${check.baselineP99Ms < SERVING_TARGETS.p99CapMs ? `, < ${SERVING_TARGETS.p99CapMs} ms` : ''}: ≤ ${check.p99LimitMs} ms`,
        measured: `${check.p99Ms} ms`,
        met: check.p99Met,
      },
    );
  }
  return rows;
}
