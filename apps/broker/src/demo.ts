import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { type BrokerEnvironment, parseBrokerConfig, parseEnvironment, readEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
// The demo's identity provider and Redis are the ones the tests use (test/support): dev tooling only, never
// in the production build (tsconfig.prod.json leaves demo*.ts out).
import { ImsEmulator } from '../../../test/support/ims-emulator';
import { type RedisServer, startRedis } from '../../../test/support/redis-harness';
import { createBrokerApp } from './broker.app';
import { demoInstructions } from './demo.instructions';

/** The API key the demo caller uses; its SHA-256 is what a real config would hold. */
const DEMO_API_KEY = 'demo-key-change-me';
const DEMO_CLIENT_ID = 'demo-client';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * `./dev demo`: the broker on its embedded defaults (in-process token store) with a local IMS-compatible
 * token endpoint, a caller and an admin caller, so a first-time user can fetch a token and run brokerctl
 * without Adobe credentials. `./dev demo --fleet`: a local redis-server and two brokers sharing it.
 */
async function demo(fleet: boolean): Promise<void> {
  const env = readEnvironment();
  const workdir = mkdtempSync(join(tmpdir(), 'token-broker-demo-'));
  const clientSecret = randomBytes(24).toString('base64url');
  // A fresh admin key per run: printed once, valid only while this demo runs, on loopback only.
  const adminKey = `demo-admin-${randomBytes(18).toString('base64url')}`;
  const ims = await ImsEmulator.start();
  ims.addClient({ clientId: DEMO_CLIENT_ID, secrets: [clientSecret] });
  writeFileSync(join(workdir, 'client-secret'), clientSecret, { mode: 0o600 });
  const yaml = `
credentials:
  - id: demo
    provider: adobe-ims
    imsUrl: ${ims.url}
    clientId: ${DEMO_CLIENT_ID}
    orgId: DEMO0000000000000000@AdobeOrg
    scopes: [openid, AdobeID, read_organizations]
    secret: { source: file, path: ${join(workdir, 'client-secret')} }
callers:
  - id: demo-caller
    apiKeySha256: ${sha256(DEMO_API_KEY)}
    credentials: [demo]
  - id: demo-admin
    apiKeySha256: ${sha256(adminKey)}
    credentials: [demo]
    roles: [admin]
`;
  const configPath = join(workdir, 'broker.yaml');
  writeFileSync(configPath, yaml);
  const config = parseBrokerConfig(yaml, configPath);
  // Synchronous writes keep the boot lines ahead of the instructions printed below.
  const logger = createRootLogger({ level: env.logLevel, destination: pino.destination({ dest: 1, sync: true }) });

  let redis: RedisServer | undefined;
  const apps: NestFastifyApplication[] = [];
  const stop = async (): Promise<void> => {
    for (const app of apps) await app.close();
    await ims.close();
    await redis?.stop();
    rmSync(workdir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const listen = async (brokerEnv: BrokerEnvironment, port: number): Promise<string> => {
    const app = await createBrokerApp({ env: brokerEnv, config, logger });
    apps.push(app);
    await app.listen({ port, host: '127.0.0.1' });
    return `http://127.0.0.1:${port}`;
  };

  const urls: string[] = [];
  if (fleet) {
    redis = await startRedis();
    // Fleet settings for these two in-process brokers only, from values made here (not the shell's env).
    const shared = parseEnvironment({ REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('base64')}` });
    const fleetEnv: BrokerEnvironment = { ...env, ...(shared.redis ? { redis: shared.redis } : {}), ...(shared.tokenEncryptionKeys ? { tokenEncryptionKeys: shared.tokenEncryptionKeys } : {}) };
    urls.push(await listen(fleetEnv, env.port), await listen(fleetEnv, env.port + 1));
  } else {
    urls.push(await listen(env, env.port));
  }
  process.stdout.write(
    demoInstructions({ urls, imsUrl: ims.url, configPath, apiKey: DEMO_API_KEY, adminKey, ...(redis ? { redisUrl: redis.url } : {}) }),
  );
}

demo(process.argv.includes('--fleet')).catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
