import { createHash } from 'node:crypto';
import { BrokerProcess } from '../../test/support/broker-process';
import { freePort } from '../../test/support/free-port';
import type { CannonInput, CannonOutput } from '../load/cannon';
import type { BareProxyInput } from '../servers/bare-proxy';
import { waitUntilReady } from '../lib/brokers';
import { BENCH_SCRIPTS, NodeChild } from '../lib/child';
import type { BenchContext } from '../lib/context';
import { median, round2, round3 } from '../lib/stats';
import { BenchWorld } from '../lib/world';

const CREDENTIAL_ID = 'aep-proxy';
const UPSTREAM = 'api';
/** The targets: at 64 connections, broker proxy ≥ 0.7 × the bare proxy, and under 2 ms added at p99. */
export const PROXY_TARGETS = { connections: 64, minRatio: 0.7, maxAddedP99Ms: 2 } as const;

export interface ProxyRun {
  rep: number;
  target: 'bare' | 'broker';
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface ProxyResult {
  durationMs: number;
  settings: { reps: number; durationSec: number; connections: number };
  runs: ProxyRun[];
  /** Medians over the repetitions. */
  bare: { rps: number; p50Ms: number; p99Ms: number };
  broker: { rps: number; p50Ms: number; p99Ms: number };
  /** broker rps / bare rps. */
  ratio: number;
  /** broker p99 − bare p99, in ms. */
  addedP99Ms: number;
  targets: typeof PROXY_TARGETS;
  met: { ratio: boolean; addedP99: boolean };
}

/**
 * Scenario `proxy`: the same small-JSON API behind the broker's credential-injecting proxy and behind a bare
 * `node:http` reverse proxy doing the same header work, loaded alternately in the same run by autocannon
 * (its own process) with 64 connections. The broker runs in-process mode at LOG_LEVEL=warn (its audit line
 * per call still written).
 */
export async function runProxy(ctx: BenchContext): Promise<ProxyResult> {
  const started = Date.now();
  const reps = ctx.quick ? 1 : 3;
  const durationSec = ctx.quick ? 5 : 10;
  const world = await BenchWorld.create({ ids: [CREDENTIAL_ID] });
  const apiPort = await freePort();
  const api = NodeChild.start(BENCH_SCRIPTS.jsonApi, { port: apiPort });
  const stops: (() => Promise<unknown>)[] = [() => api.stop(), () => world.ims.close()];
  try {
    await api.waitFor('ready', 10_000);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const config = world.config
      .replace(/(    secret: \{ source: file, path: [^\n]+\n)/, `$1    proxy:\n      upstreams:\n        ${UPSTREAM}: ${apiUrl}\n`)
      .replace(/(    credentials: \[[^\n]*\]\n)/, `$1    proxy: ['${CREDENTIAL_ID}']\n`);
    const broker = await BrokerProcess.start({ config, env: world.env({ auditLog: `${world.dir}/audit.log` }), startTimeoutMs: 60_000 });
    stops.unshift(() => broker.stop());
    await waitUntilReady(broker);
    const token = await broker.get(`/v1/tokens/${CREDENTIAL_ID}`, world.apiKey);
    const bareInput: BareProxyInput = {
      port: await freePort(),
      apiKeySha256: createHash('sha256').update(world.apiKey).digest('hex'),
      credentialId: CREDENTIAL_ID,
      upstreamName: UPSTREAM,
      upstreamUrl: apiUrl,
      accessToken: String(token.body['access_token']),
      clientId: `client-${CREDENTIAL_ID}`,
      orgId: `ORG${CREDENTIAL_ID.replace(/[^A-Za-z0-9]/g, '')}@AdobeOrg`,
    };
    const bare = NodeChild.start(BENCH_SCRIPTS.bareProxy, bareInput);
    stops.unshift(() => bare.stop());
    await bare.waitFor('ready', 10_000);
    const targets = {
      bare: `http://127.0.0.1:${bareInput.port}/v1/proxy/${CREDENTIAL_ID}/${UPSTREAM}/data/foundation/catalog/dataSets/5f0c`,
      broker: `${broker.url}/v1/proxy/${CREDENTIAL_ID}/${UPSTREAM}/data/foundation/catalog/dataSets/5f0c`,
    } as const;
    const load = async (url: string, seconds: number): Promise<CannonOutput> => {
      const input: CannonInput = { url, connections: PROXY_TARGETS.connections, durationSec: seconds, headers: { authorization: `Bearer ${world.apiKey}`, 'x-sandbox-name': 'prod' } };
      return NodeChild.start(BENCH_SCRIPTS.cannon, input).result<CannonOutput>((seconds + 30) * 1000);
    };
    // Warm both paths (JIT, pooled upstream connections).
    for (const url of Object.values(targets)) await load(url, 2);
    const runs: ProxyRun[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      for (const target of ['bare', 'broker'] as const) {
        const out = await load(targets[target], durationSec);
        runs.push({ rep, target, rps: Math.round(out.rps), p50Ms: round3(out.latencyMs.p50), p99Ms: round3(out.latencyMs.p99), non2xx: out.non2xx, errors: out.errors });
        ctx.log(`proxy ${target} rep ${rep}: ${Math.round(out.rps)} req/s, p99 ${round3(out.latencyMs.p99)} ms, non-2xx ${out.non2xx}`);
      }
    }
    const summary = (target: 'bare' | 'broker') => {
      const of = runs.filter((run) => run.target === target);
      return { rps: median(of.map((r) => r.rps)), p50Ms: round3(median(of.map((r) => r.p50Ms))), p99Ms: round3(median(of.map((r) => r.p99Ms))) };
    };
    const bareSummary = summary('bare');
    const brokerSummary = summary('broker');
    const ratio = round2(brokerSummary.rps / bareSummary.rps);
    const addedP99Ms = round3(brokerSummary.p99Ms - bareSummary.p99Ms);
    return {
      durationMs: Date.now() - started,
      settings: { reps, durationSec, connections: PROXY_TARGETS.connections },
      runs,
      bare: bareSummary,
      broker: brokerSummary,
      ratio,
      addedP99Ms,
      targets: PROXY_TARGETS,
      met: { ratio: ratio >= PROXY_TARGETS.minRatio, addedP99: addedP99Ms < PROXY_TARGETS.maxAddedP99Ms },
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}
