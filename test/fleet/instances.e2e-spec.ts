import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { runCompiled } from '../cli/run-compiled';

/**
 * Every instance says which config it runs (a hash, in the admin API, a gauge and brokerctl status), and
 * each lists every live instance from their heartbeats in Redis: an operator sees that a reload reached
 * every pod, and which pod answered.
 */

jest.setTimeout(120_000);

const CLI = join(__dirname, '../../dist/apps/brokerctl/src/main.js');

interface Instance {
  instance_id: string;
  host: string;
  pid: number;
  readiness: string;
  config_hash: string;
}

interface CredentialList {
  config_hash: string;
  instance: Instance;
  fleet: Instance[] | null;
}

describe('fleet instances: config hash and heartbeats (three broker processes)', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(['aep-prod']);
    brokers = await startFleet(3, world.config(), world.env({ REDIS_URL: redis.url }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  async function list(broker: BrokerProcess): Promise<CredentialList> {
    const response = await broker.get('/admin/credentials', world.apiKey);
    expect(response.status).toBe(200);
    return response.body as unknown as CredentialList;
  }

  async function configInfo(broker: BrokerProcess): Promise<string[]> {
    const text = await (await fetch(`${broker.url}/metrics`)).text();
    return text.split('\n').filter((line) => line.startsWith('broker_config_info{'));
  }

  it('each instance names itself and its config hash; every one lists all three, with the same hash', async () => {
    const answers = await Promise.all(brokers.map((broker) => list(broker)));
    const ids = answers.map((a) => a.instance.instance_id);
    expect(new Set(ids).size).toBe(3);
    for (const [i, answer] of answers.entries()) {
      expect(answer.instance.pid).toBe((brokers[i] as BrokerProcess).pid);
      expect(answer.config_hash).toMatch(/^[0-9a-f]{12}$/);
      expect(answer.instance.config_hash).toBe(answer.config_hash);
      expect(await configInfo(brokers[i] as BrokerProcess)).toEqual([`broker_config_info{hash="${answer.config_hash}"} 1`]);
    }
    expect(new Set(answers.map((a) => a.config_hash)).size).toBe(1);
    // A heartbeat is up to 5 s old; on a busy machine an early one may have caught a slow PING (degraded).
    await until(
      async () => {
        const fleet = (await list(brokers[0] as BrokerProcess)).fleet ?? [];
        return fleet.length === 3 && fleet.every((i) => i.readiness === 'ready');
      },
      'three heartbeats, all ready',
      20_000,
    );
    const fleet = (await list(brokers[0] as BrokerProcess)).fleet ?? [];
    expect(fleet.map((i) => i.instance_id).sort()).toEqual([...ids].sort());
    expect(fleet.map((i) => [i.readiness, i.config_hash])).toEqual(Array(3).fill(['ready', answers[0]?.config_hash]));
  });

  it('brokerctl status says which instance answered and lists every live one with its hash and readiness', async () => {
    const first = brokers[0] as BrokerProcess;
    const self = (await list(first)).instance;
    await until(async () => ((await list(first)).fleet ?? []).every((i) => i.readiness === 'ready'), 'every heartbeat ready', 20_000);
    const run = await runCompiled(CLI, ['status'], { PATH: process.env.PATH ?? '', BROKER_URL: first.url, BROKER_ADMIN_KEY: world.apiKey });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`answered by ${self.host}:${self.pid} (${self.instance_id.slice(0, 8)}): ready, config ${self.config_hash}`);
    expect(run.stdout).toContain('\nfleet: 3 live instances\n');
    for (const broker of brokers) expect(run.stdout).toMatch(new RegExp(`:${broker.pid} \\([0-9a-f]{8}\\)\\s+ready\\s+${self.config_hash}\\s`));
  });

  it('a reload shows up as a new hash on every instance; a stopped instance leaves the list', async () => {
    const before = (await list(brokers[0] as BrokerProcess)).config_hash;
    for (const broker of brokers) writeFileSync(broker.configPath, world.config('tokens:\n  upstreamTimeout: 20s\n'));
    const reloaded = await fetch(`${(brokers[0] as BrokerProcess).url}/admin/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${world.apiKey}` } });
    expect(reloaded.status).toBe(200);
    const after = (await list(brokers[0] as BrokerProcess)).config_hash;
    expect(after).not.toBe(before);
    await until(
      async () => ((await list(brokers[1] as BrokerProcess)).fleet ?? []).every((i) => i.config_hash === after),
      'every heartbeat to carry the new hash',
      15_000,
    );
    expect(await configInfo(brokers[2] as BrokerProcess)).toEqual([`broker_config_info{hash="${after}"} 1`]);

    const leaving = brokers.pop() as BrokerProcess;
    const leavingId = (await list(leaving)).instance.instance_id;
    expect(await leaving.stop()).toBe(0);
    const fleet = (await list(brokers[0] as BrokerProcess)).fleet ?? [];
    expect(fleet.map((i) => i.instance_id)).not.toContain(leavingId);
    expect(fleet).toHaveLength(2);
  });
});
