import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { TokenBrokerClient } from '@token-broker/client';
import type { BenchContext } from '../lib/context';
import { median, round2 } from '../lib/stats';
import type { BenchResults } from '../run';
import { machineLine } from '../lib/machine';

/** The budget for a cached `getToken`, in nanoseconds. */
export const CLIENT_TARGET_NS = 2_000;

export interface ClientOpCost {
  /** Median over the repetitions of the mean wall time of one call, in ns. */
  medianNs: number;
  minNs: number;
  maxNs: number;
  /** The same in CPU time of this process (user + system): what the call costs when the machine is shared. */
  cpuMedianNs: number;
}

export interface ClientResult {
  settings: { iterations: number; reps: number; warmup: number; concurrentCalls: number; node: string };
  /** `await client.getToken(id)` on a cached token, one after the other. */
  getToken: ClientOpCost;
  /** The same with an `onEvent` hook counting cache hits. */
  getTokenWithHook: ClientOpCost;
  /** `await client.headers(id)` with token and header template cached. */
  headers: ClientOpCost;
  /** `Promise.all` of `concurrentCalls` cached `getToken` calls: cost per call. */
  concurrentGetToken: ClientOpCost;
  /** Broker requests the fake broker saw during the measured loops (must be the 2 of the warm-up: token and headers). */
  brokerRequests: number;
  targetMet: boolean;
  durationMs: number;
}

/**
 * Scenario 5: what the client package costs a service once its token is cached, measured in this process
 * against the compiled package (`packages/client/dist`, loaded by name). The broker here is a local stub
 * answering the token and headers endpoints: after the first call of each kind it is never asked again, and
 * the scenario checks that it was not.
 */
export async function runClient(ctx: BenchContext): Promise<ClientResult> {
  const started = Date.now();
  const settings = { iterations: ctx.quick ? 200_000 : 1_000_000, reps: ctx.quick ? 3 : 7, warmup: 100_000, concurrentCalls: 1_000, node: process.version };
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const body = req.url?.includes('/headers')
      ? { authorization: 'Bearer bench-token', 'x-api-key': 'bench-client', 'x-gw-ims-org-id': 'BENCH@AdobeOrg' }
      : { credential_id: 'bench', access_token: 'bench-token', token_type: 'bearer', expires_in: 86_399, expires_at: new Date(Date.now() + 86_399_000).toISOString() };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new TokenBrokerClient({ baseUrl, apiKey: 'bench-key' });
    let hits = 0;
    const hooked = new TokenBrokerClient({ baseUrl, apiKey: 'bench-key', onEvent: (e) => void (e.type === 'cache-hit' && hits++) });
    await client.headers('bench');
    await hooked.getToken('bench');
    const warmRequests = requests;

    /** Mean ns per call of `iterations` awaited calls, repeated; `calls` counts what one call stands for. */
    const sequential = async (call: () => Promise<unknown>, iterations = settings.iterations, calls = 1): Promise<ClientOpCost> => {
      for (let i = 0; i < Math.min(settings.warmup, iterations); i++) await call();
      const perCall: number[] = [];
      const cpuPerCall: number[] = [];
      for (let rep = 0; rep < settings.reps; rep++) {
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < iterations; i++) await call();
        perCall.push(Number(process.hrtime.bigint() - t0) / (iterations * calls));
        const cpu = process.cpuUsage(cpu0);
        cpuPerCall.push(((cpu.user + cpu.system) * 1000) / (iterations * calls));
      }
      return costOf(perCall, cpuPerCall);
    };

    ctx.log(`client: ${settings.reps} × ${settings.iterations.toLocaleString('en-US')} calls per operation`);
    const getToken = await sequential(() => client.getToken('bench'));
    const getTokenWithHook = await sequential(() => hooked.getToken('bench'));
    const headers = await sequential(() => client.headers('bench'));
    const concurrentGetToken = await sequential(
      () => Promise.all(Array.from({ length: settings.concurrentCalls }, () => client.getToken('bench'))),
      Math.max(1, Math.floor(settings.iterations / settings.concurrentCalls)),
      settings.concurrentCalls,
    );
    client.close();
    hooked.close();
    if (hits === 0) throw new Error('the onEvent hook saw no cache hit');
    const brokerRequests = requests - warmRequests;
    ctx.log(`client: getToken ${getToken.medianNs.toFixed(0)} ns, headers ${headers.medianNs.toFixed(0)} ns, broker requests while measuring ${brokerRequests}`);
    return {
      settings,
      getToken,
      getTokenWithHook,
      headers,
      concurrentGetToken,
      brokerRequests,
      targetMet: getToken.medianNs < CLIENT_TARGET_NS && brokerRequests === 0,
      durationMs: Date.now() - started,
    };
  } finally {
    await new Promise<void>((resolve) => (server as Server).close(() => resolve()));
  }
}

function costOf(perCallNs: readonly number[], cpuPerCallNs: readonly number[]): ClientOpCost {
  return { medianNs: round2(median(perCallNs)), minNs: round2(Math.min(...perCallNs)), maxNs: round2(Math.max(...perCallNs)), cpuMedianNs: round2(median(cpuPerCallNs)) };
}

/** The table of docs/benchmarks.md for this scenario. */
export function clientSection(root: string, file: string, results: BenchResults): string[] {
  const c = results.scenarios.client;
  if (!c) return [];
  const ns = (x: ClientOpCost): string => `${x.medianNs.toFixed(0)} ns | ${x.minNs.toFixed(0)}–${x.maxNs.toFixed(0)} ns | ${x.cpuMedianNs.toFixed(0)} ns`;
  return [
    `_Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.mode} mode, in ${Math.round(c.durationMs / 1000)} s, on ${machineLine(results.machine)}; commit ${results.build.gitHead}. Raw figures: [\`${relative(root, file)}\`](../${relative(root, file)})._`,
    '',
    `${c.settings.reps} × ${c.settings.iterations.toLocaleString('en-US')} calls per operation after ${c.settings.warmup.toLocaleString('en-US')} warm-up calls, in one process (${c.settings.node}); the cost of one call is the loop's time divided by its calls, median of the repetitions.`,
    '',
    '| operation (token cached) | wall time per call, median | range over repetitions | CPU time per call, median |',
    '|---|--:|--:|--:|',
    `| \`await client.getToken(id)\` | ${ns(c.getToken)} |`,
    `| the same with an \`onEvent\` hook | ${ns(c.getTokenWithHook)} |`,
    `| \`await client.headers(id)\` | ${ns(c.headers)} |`,
    `| ${c.settings.concurrentCalls.toLocaleString('en-US')} concurrent \`getToken\` calls, per call | ${ns(c.concurrentGetToken)} |`,
    '',
    `Target: a cached \`getToken\` under ${CLIENT_TARGET_NS / 1000} µs with no broker request while measuring: ${c.targetMet ? 'met' : '**missed**'} (${c.brokerRequests} broker requests during the loops).`,
  ];
}
