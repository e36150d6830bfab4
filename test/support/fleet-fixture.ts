import { createHash, randomBytes } from 'node:crypto';
import { BrokerProcess } from './broker-process';
import { ImsEmulator } from './ims-emulator';

/** A fleet test's world: one IMS emulator, credentials with env-sourced secrets, one caller key. */
export interface FleetWorld {
  readonly ims: ImsEmulator;
  readonly apiKey: string;
  readonly secrets: Readonly<Record<string, string>>;
  readonly encryptionKeys: string;
  config(extra?: string): string;
  env(redis: Record<string, string>): Record<string, string>;
}

/** Starts the IMS emulator and registers `credentialIds` with fresh client secrets. */
export async function createFleetWorld(credentialIds: readonly string[]): Promise<FleetWorld> {
  const ims = await ImsEmulator.start();
  const apiKey = `fleet-key-${randomBytes(12).toString('hex')}`;
  const secrets: Record<string, string> = {};
  for (const id of credentialIds) {
    secrets[id] = `secret-${randomBytes(16).toString('hex')}`;
    ims.addClient({ clientId: `client-${id}`, secrets: [secrets[id]] });
  }
  const encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;
  const envName = (id: string): string => `SECRET_${id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  return {
    ims,
    apiKey,
    secrets,
    encryptionKeys,
    config: (extra = '') => `
credentials:
${credentialIds
  .map(
    (id) => `  - id: ${id}
    provider: adobe-ims
    imsUrl: ${ims.url}
    clientId: client-${id}
    orgId: ORG${id.replace(/[^A-Za-z0-9]/g, '')}@AdobeOrg
    scopes: [openid, AdobeID]
    secret: { source: env, name: ${envName(id)} }`,
  )
  .join('\n')}
callers:
  - id: fleet-tests
    apiKeySha256: ${createHash('sha256').update(apiKey).digest('hex')}
    credentials: ['*']
    roles: [admin]
${extra}`,
    env: (redis) => ({
      ...redis,
      TOKEN_ENCRYPTION_KEYS: encryptionKeys,
      ...Object.fromEntries(credentialIds.map((id) => [envName(id), secrets[id] as string])),
    }),
  };
}

/**
 * Starts `count` brokers with the same config and environment and waits until each is ready (connected to
 * Redis), as an orchestrator would before routing traffic to it.
 */
export async function startFleet(count: number, config: string, env: Record<string, string>, startTimeoutMs = 60_000): Promise<BrokerProcess[]> {
  // Several Node processes booting at once on a busy 2-core machine can take well over 20 s each.
  const brokers = await Promise.all(Array.from({ length: count }, () => BrokerProcess.start({ config, env, startTimeoutMs })));
  await Promise.all(brokers.map((broker) => waitUntilReady(broker, startTimeoutMs)));
  return brokers;
}

/**
 * True once the broker is ready and its Redis connection is up. Readiness alone is not enough: with Redis
 * unreachable an instance still answers 200 (degraded), since it keeps serving the tokens it holds.
 */
export async function connectedToRedis(broker: BrokerProcess): Promise<boolean> {
  const ready = await broker.get('/health/ready');
  const redis = (ready.body.details as Record<string, { status?: string }> | undefined)?.['redis'];
  return ready.status === 200 && redis?.status === 'up';
}

async function waitUntilReady(broker: BrokerProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await connectedToRedis(broker))) {
    if (Date.now() > deadline) throw new Error(`broker ${broker.pid} not ready within ${timeoutMs} ms:\n${broker.lines.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends `total` token requests for `credentialId`, round-robin over `brokers`, all at once. */
export async function burst(brokers: readonly BrokerProcess[], credentialId: string, total: number, apiKey: string) {
  return Promise.all(
    Array.from({ length: total }, (_, i) => (brokers[i % brokers.length] as BrokerProcess).get(`/v1/tokens/${credentialId}`, apiKey)),
  );
}
