/**
 * The bench's "many callers" client, in a process of its own. Two modes:
 *  - `burst`: `total` token requests issued at once, over `connectionsPerTarget` keep-alive connections per
 *    broker; the rest queue in the client, as they would in a caller's connection pool. Request i goes to
 *    target i % T and credential floor(i / T) % N, so every credential is asked of every broker in turn.
 *  - `rate`: a steady `ratePerSec` for `durationMs`, each request recorded with its send time.
 * Input: one JSON argument; output: one JSON line.
 */
import { Agent, request } from 'node:http';
import { summarizeLatencies, type LatencySummary } from '../lib/stats';

export interface BurstInput {
  mode: 'burst' | 'rate';
  targets: string[];
  apiKey: string;
  credentialIds: string[];
  connectionsPerTarget: number;
  /** Appended to every path, e.g. `?min_ttl=0`. */
  query?: string;
  timeoutMs: number;
  total?: number;
  ratePerSec?: number;
  durationMs?: number;
}

export interface RequestRecord {
  /** Epoch ms when sent. */
  at: number;
  ms: number;
  status: number;
  target: number;
}

export interface BurstOutput {
  sent: number;
  statuses: Record<string, number>;
  /** From the first request sent to the last response received. */
  elapsedMs: number;
  latencyMs: LatencySummary;
  startedAt: number;
  records?: RequestRecord[];
}

function main(): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as BurstInput;
  const agents = input.targets.map(() => new Agent({ keepAlive: true, maxSockets: input.connectionsPerTarget }));
  const headers = { authorization: `Bearer ${input.apiKey}` };
  const records: RequestRecord[] = [];
  const startedAt = Date.now();
  const startedHr = performance.now();

  const send = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const target = i % input.targets.length;
      const credential = input.credentialIds[Math.floor(i / input.targets.length) % input.credentialIds.length] as string;
      const at = Date.now();
      const t0 = performance.now();
      const finish = (status: number): void => {
        records.push({ at, ms: performance.now() - t0, status, target });
        resolve();
      };
      const req = request(
        `${input.targets[target] as string}/v1/tokens/${credential}${input.query ?? ''}`,
        { headers, agent: agents[target], timeout: input.timeoutMs },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode ?? 0));
          res.on('error', () => finish(-1));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(-1));
      req.end();
    });

  const done = async (): Promise<void> => {
    const elapsedMs = performance.now() - startedHr;
    const statuses: Record<string, number> = {};
    for (const r of records) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    const output: BurstOutput = {
      sent: records.length,
      statuses,
      elapsedMs: Math.round(elapsedMs * 10) / 10,
      latencyMs: summarizeLatencies(records.map((r) => r.ms)),
      startedAt,
      ...(input.mode === 'rate' ? { records: records.map((r) => ({ ...r, ms: Math.round(r.ms * 1000) / 1000 })) } : {}),
    };
    for (const agent of agents) agent.destroy();
    await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(output)}\n`, () => resolve()));
    process.exit(0);
  };

  if (input.mode === 'burst') {
    const total = input.total ?? 0;
    void Promise.all(Array.from({ length: total }, (_, i) => send(i))).then(done);
    return;
  }
  // rate: one request every 1000 / ratePerSec ms, paced against the clock (no drift), for durationMs.
  const rate = input.ratePerSec ?? 100;
  const durationMs = input.durationMs ?? 10_000;
  const pending: Promise<void>[] = [];
  let sent = 0;
  const tick = (): void => {
    const due = Math.min(Math.floor(((performance.now() - startedHr) * rate) / 1000), Math.floor((durationMs * rate) / 1000));
    while (sent < due) pending.push(send(sent++));
    if (performance.now() - startedHr < durationMs) setTimeout(tick, 5);
    else void Promise.all(pending).then(done);
  };
  tick();
}

main();
