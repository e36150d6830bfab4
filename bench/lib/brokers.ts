import { BrokerProcess } from '../../test/support/broker-process';
import { httpGet } from './http';
import { parsePrometheus, type Sample } from './prometheus';

/**
 * Waits until a broker answers `/health/ready` with 200 (in fleet mode: connected to Redis), as an
 * orchestrator would before routing traffic to it; a broker that gets requests before its Redis connections
 * are up serves them on the per-process path (its own upstream call).
 */
export async function waitUntilReady(broker: BrokerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await httpGet(`${broker.url}/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`broker ${broker.pid} not ready within ${timeoutMs} ms:\n${broker.lines.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `count` brokers at once and waits until each is ready; if one fails, stops the others and rethrows. */
export async function startBrokers(count: number, config: string, env: Record<string, string>, startTimeoutMs = 60_000): Promise<BrokerProcess[]> {
  const start = async (): Promise<BrokerProcess> => {
    const broker = await BrokerProcess.start({ config, env, startTimeoutMs });
    try {
      await waitUntilReady(broker, startTimeoutMs);
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  };
  const settled = await Promise.allSettled(Array.from({ length: count }, start));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopBrokers(started);
    throw failed.reason;
  }
  return started;
}

export async function stopBrokers(brokers: readonly BrokerProcess[]): Promise<void> {
  await Promise.all(brokers.map((b) => b.stop(15_000).catch(() => undefined)));
}

/**
 * Scrapes `/metrics` of every broker (without credentials, then with the bench caller's key in case the
 * endpoint is protected). Undefined when the broker has no metrics endpoint.
 */
export async function scrapeMetrics(brokers: readonly BrokerProcess[], apiKey: string): Promise<Sample[][] | undefined> {
  const scrapes: Sample[][] = [];
  for (const broker of brokers) {
    let response = await httpGet(`${broker.url}/metrics`);
    if (response.status === 401 || response.status === 403) response = await httpGet(`${broker.url}/metrics`, { authorization: `Bearer ${apiKey}` });
    if (response.status !== 200 || !response.body.includes('# TYPE')) return undefined;
    scrapes.push(parsePrometheus(response.body));
  }
  return scrapes;
}

/**
 * What the brokers logged, counted by level and message: at the default LOG_LEVEL=warn only warnings and
 * errors; with `--broker-log-level debug` also the debug lines (access and audit lines are left out).
 */
export function brokerWarnings(brokers: readonly BrokerProcess[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const broker of brokers) {
    for (const entry of broker.logEntries()) {
      if (entry['log_type'] === 'audit' || entry['msg'] === 'request completed' || entry['level'] === 'info') continue;
      const key = `${String(entry['level'])}: ${String(entry['msg'] ?? '')}`.slice(0, 200);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}
