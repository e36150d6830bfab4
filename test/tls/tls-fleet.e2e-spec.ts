import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokerProcess } from '../support/broker-process';
import { ConnectProxy } from '../support/connect-proxy';
import { ImsEmulator } from '../support/ims-emulator';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { SecretsManagerEmulator } from '../support/secrets-manager-emulator';
import { type IssuedCertificate, opensslMissing, TestCa } from '../support/test-pki';
import { httpsGet } from '../support/tls-client';

const MAIN = join(__dirname, '../../dist/apps/broker/src/main.js');
const EXIT_CONFIG = 78;
const ENV_SECRET = `env-secret-${randomBytes(16).toString('hex')}`;
const AWS_SECRET = `aws-secret-${randomBytes(16).toString('hex')}`;

const skipReason = opensslMissing();
// Skipped, with the reason printed, where the openssl CLI that makes the test certificates is missing.
const describeTls = skipReason === undefined ? describe : describe.skip;
if (skipReason !== undefined) console.warn(`TLS fleet tests skipped: ${skipReason}`);

describeTls('TLS end to end across processes: HTTPS fleet, Redis over TLS, outbound proxy and private CA', () => {
  let ca: TestCa;
  let server: IssuedCertificate;
  let client: IssuedCertificate;
  let redis: RedisServer;
  let ims: ImsEmulator;
  let sm: SecretsManagerEmulator;
  let proxy: ConnectProxy;
  let brokers: BrokerProcess[] = [];
  let config: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ca = TestCa.create('fleet');
    server = ca.issueServer('server');
    client = ca.issue('client', { subject: '/CN=fleet-tests', uriSans: ['spiffe://cluster.local/ns/tests/sa/fleet'] });
    // Every upstream speaks HTTPS with a certificate only NODE_EXTRA_CA_CERTS makes trusted.
    redis = await startRedis({ tls: { certFile: server.certFile, keyFile: server.keyFile, caFile: ca.certFile } });
    ims = await ImsEmulator.start({ tls: { cert: server.cert, key: server.key } });
    ims.addClient({ clientId: 'client-env', secrets: [ENV_SECRET] });
    ims.addClient({ clientId: 'client-aws', secrets: [AWS_SECRET] });
    sm = await SecretsManagerEmulator.start({ tls: { cert: server.cert, key: server.key } });
    sm.putSecret('broker/aws-cred', AWS_SECRET);
    proxy = await ConnectProxy.start();
    config = `
credentials:
  - { id: from-env, provider: adobe-ims, imsUrl: ${ims.url}, clientId: client-env, orgId: ORGENV@AdobeOrg, scopes: [openid], secret: { source: env, name: SECRET_FROM_ENV } }
  - { id: from-aws, provider: adobe-ims, imsUrl: ${ims.url}, clientId: client-aws, orgId: ORGAWS@AdobeOrg, scopes: [openid], secret: { source: aws, secretId: broker/aws-cred } }
callers:
  - id: fleet-tests
    certificate: { uriSan: 'spiffe://cluster.local/ns/tests/*' }
    credentials: ['*']
`;
    env = {
      REDIS_URL: redis.url,
      TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SECRET_FROM_ENV: ENV_SECRET,
      TLS_CERT_FILE: server.certFile,
      TLS_KEY_FILE: server.keyFile,
      TLS_CLIENT_CA_FILE: ca.certFile,
      TLS_CLIENT_AUTH: 'require',
      NODE_EXTRA_CA_CERTS: ca.certFile,
      HTTPS_PROXY: proxy.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      AWS_REGION: sm.region,
      AWS_ACCESS_KEY_ID: 'AKIDE2ETESTONLY',
      AWS_SECRET_ACCESS_KEY: 'e2e-not-a-real-aws-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    brokers = await Promise.all(Array.from({ length: 3 }, () => BrokerProcess.start({ config, env, healthPort: true, startTimeoutMs: 90_000 })));
    for (const broker of brokers) {
      const deadline = Date.now() + 60_000;
      while ((await fetch(`${broker.healthUrl}/health/ready`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`broker not ready:\n${broker.lines.slice(-20).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(brokers.map((broker) => broker.stop()));
    await ims?.close();
    await sm?.close();
    await proxy?.close();
    await stopAllRedis();
    ca?.dispose();
  });

  it('three brokers over HTTPS, sharing Redis over TLS, mint one token for 60 concurrent certificate callers', async () => {
    ims.delayMs = 300;
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => httpsGet(`${(brokers[i % 3] as BrokerProcess).url}/v1/tokens/from-env`, { ca: ca.cert, cert: client.cert, key: client.key })),
    );
    ims.delayMs = 0;
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(new Set(responses.map((r) => r.body['access_token'])).size).toBe(1);
    expect(ims.issuedTo('client-env')).toHaveLength(1);
  });

  it('sends identity-provider and Secrets Manager calls through HTTPS_PROXY, trusting NODE_EXTRA_CA_CERTS', async () => {
    const imsTarget = new URL(ims.url).host;
    const smTarget = new URL(sm.url).host;
    expect(proxy.connects).toContain(imsTarget);
    const response = await httpsGet(`${(brokers[0] as BrokerProcess).url}/v1/tokens/from-aws`, { ca: ca.cert, cert: client.cert, key: client.key });
    expect(response.status).toBe(200);
    // The AWS SDK's own agent went through the proxy too (each broker reads its secrets at boot, and keeps the connection).
    expect(proxy.connects).toContain(smTarget);
    expect(ims.issuedTo('client-aws')).toHaveLength(1);
    // Redis is not HTTP: it is reached directly, never through the proxy.
    expect(proxy.connects).not.toContain(`127.0.0.1:${redis.port}`);
  });

  it('reaches hosts listed in NO_PROXY directly, past HTTPS_PROXY', async () => {
    ims.addClient({ clientId: 'client-direct', secrets: [ENV_SECRET] });
    const apiKey = `no-proxy-key-${randomBytes(8).toString('hex')}`;
    const direct = await BrokerProcess.start({
      config: `
credentials:
  - { id: direct, provider: adobe-ims, imsUrl: ${ims.url}, clientId: client-direct, orgId: ORGDIRECT@AdobeOrg, scopes: [openid], secret: { source: env, name: SECRET_FROM_ENV } }
callers:
  - { id: direct-caller, apiKeySha256: ${createHash('sha256').update(apiKey).digest('hex')}, credentials: [direct] }
`,
      env: { SECRET_FROM_ENV: ENV_SECRET, NODE_EXTRA_CA_CERTS: ca.certFile, HTTPS_PROXY: proxy.url, NO_PROXY: new URL(ims.url).hostname },
      startTimeoutMs: 90_000,
    });
    try {
      const imsTarget = new URL(ims.url).host;
      const tunnelsBefore = proxy.connects.filter((target) => target === imsTarget).length;
      const response = await direct.get('/v1/tokens/direct', apiKey);
      expect(response.status).toBe(200);
      expect(ims.issuedTo('client-direct')).toHaveLength(1);
      // The mint went straight to the identity provider: no new tunnel to it through the proxy.
      expect(proxy.connects.filter((target) => target === imsTarget)).toHaveLength(tunnelsBefore);
    } finally {
      await direct.stop();
    }
  }, 120_000);

  it('serves probes on HEALTH_PORT while the main port requires a client certificate', async () => {
    const broker = brokers[0] as BrokerProcess;
    expect((await fetch(`${broker.healthUrl}/health/live`)).status).toBe(200);
    await expect(httpsGet(`${broker.url}/health/live`, { ca: ca.cert })).rejects.toThrow();
  });

  it('stops the boot with exit 78 naming the file when a TLS file is invalid', () => {
    const broken = join(ca.dir, 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    const configFile = join(ca.dir, 'broker.yaml');
    writeFileSync(configFile, config);
    const result = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', BROKER_CONFIG: configFile, PORT: '1', TLS_CERT_FILE: broken, TLS_KEY_FILE: join(ca.dir, 'missing.key') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(EXIT_CONFIG);
    expect(result.stderr).toContain(`TLS_CERT_FILE: ${broken} holds a PEM block that is not a valid X.509 certificate`);
    expect(result.stderr).toContain(`TLS_KEY_FILE: cannot read ${join(ca.dir, 'missing.key')}: ENOENT`);
  });
});
