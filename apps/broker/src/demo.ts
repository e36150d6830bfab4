import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseBrokerConfig, readEnvironment } from '@broker/config';
import { createRootLogger } from '@broker/observability';
// The demo's identity provider is the same Adobe IMS emulator the tests use (test/support).
import { ImsEmulator } from '../../../test/support/ims-emulator';
import { createBrokerApp } from './broker.app';

/** The API key the demo caller uses; its SHA-256 is what a real config would hold. */
const DEMO_API_KEY = 'demo-key-change-me';
const DEMO_CLIENT_ID = 'demo-client';

/**
 * `npm run demo`: the broker on its embedded defaults (in-process token store) with a local
 * IMS-compatible token endpoint, so a first-time user can fetch a token without Adobe credentials.
 */
async function demo(): Promise<void> {
  const env = readEnvironment();
  const workdir = mkdtempSync(join(tmpdir(), 'token-broker-demo-'));
  const clientSecret = randomBytes(24).toString('base64url');
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
    apiKeySha256: ${createHash('sha256').update(DEMO_API_KEY).digest('hex')}
    credentials: [demo]
`;
  const configPath = join(workdir, 'broker.yaml');
  writeFileSync(configPath, yaml);
  const config = parseBrokerConfig(yaml, configPath);
  // Synchronous writes keep the boot lines ahead of the instructions printed below.
  const logger = createRootLogger({ level: env.logLevel, destination: pino.destination({ dest: 1, sync: true }) });
  const app = await createBrokerApp({ env, config, logger });
  await app.listen({ port: env.port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${env.port}`;
  process.stdout.write(
    [
      '',
      `Token broker demo running at ${base} (local IMS emulator at ${ims.url}, config ${configPath})`,
      'Fetch a token:',
      `  curl -s -H 'Authorization: Bearer ${DEMO_API_KEY}' ${base}/v1/tokens/demo`,
      'Headers for an Adobe API call:',
      `  curl -s -H 'Authorization: Bearer ${DEMO_API_KEY}' ${base}/v1/tokens/demo/headers`,
      `Readiness: curl -s ${base}/health/ready`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = async (): Promise<void> => {
    await app.close();
    await ims.close();
    rmSync(workdir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

demo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
  process.exit(1);
});
