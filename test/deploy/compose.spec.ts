import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseBrokerConfig, parseDuration, parseEnvironment } from '@broker/config';
import { waitUntil } from '../support/broker-http';
import { freePort } from '../support/free-port';
import { composeEnv, type ComposeService, readCompose, readText, ROOT } from './deploy-files';
import { allowedBrokerVariables } from './deployment-env';

/**
 * docker-compose.yml and its files (config/compose.yaml, deploy/compose/*) checked for consistency with
 * each other and with the app, since no Docker engine runs here: services and ports line up, every broker
 * variable is one the broker reads and passes its parser, the demo client id and secret agree between the
 * config, LocalStack's init script and the IMS emulator, and the emulator really starts from that env.
 */

// Room to wait for a concurrent rebuild of dist/ (see run-compiled.ts).
jest.setTimeout(120_000);

const compose = readCompose();
const services = compose.services;
const brokers = Object.entries(services).filter(([name]) => /^broker-\d+$/.test(name));
const emulator = services['ims-emulator'] as ComposeService;
const configText = readText('config/compose.yaml');
const initScript = readText('deploy/compose/localstack/init-secrets.sh');
const nginxConf = readText('deploy/compose/nginx.conf');

/** `./path:/in/container[:ro]` volumes as [host path, container path]. */
function mounts(service: ComposeService): [string, string][] {
  return (service.volumes ?? []).map((v) => {
    const [host = '', target = ''] = v.split(':');
    return [host, target];
  });
}

function emulatorClients(): { clientId: string; secrets: string[] }[] {
  return JSON.parse(composeEnv(emulator)['IMS_EMULATOR_CLIENTS'] ?? '[]') as { clientId: string; secrets: string[] }[];
}

describe('docker-compose.yml', () => {
  it('runs Redis, LocalStack, the IMS emulator, two brokers and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['broker-1', 'broker-2', 'ims-emulator', 'lb', 'localstack', 'redis']);
    expect(brokers).toHaveLength(2);
    for (const [, broker] of brokers) {
      expect(broker.image).toBe('token-broker:local');
      expect(broker.build).toBeDefined();
      // The read-only root of the Kubernetes deployment, with /tmp writable.
      expect(broker.read_only).toBe(true);
      expect(broker.tmpfs).toEqual(['/tmp']);
      for (const dependency of ['redis', 'localstack', 'ims-emulator']) {
        expect(broker.depends_on?.[dependency]?.condition).toBe('service_healthy');
      }
    }
    // The emulator comes from its own Dockerfile stage, not from the broker image.
    expect(emulator.image).not.toBe('token-broker:local');
    expect(emulator.build).toEqual({ context: '.', target: 'ims-emulator' });
  });

  it('gives the brokers only variables the broker, the AWS SDK or Node read, with values it accepts', () => {
    const allowed = allowedBrokerVariables(configText);
    for (const [name, broker] of brokers) {
      const env = composeEnv(broker);
      expect({ name, unknown: Object.keys(env).filter((n) => !allowed.has(n)) }).toEqual({ name, unknown: [] });
      const parsed = parseEnvironment(env);
      expect(parsed.redis?.url).toBe('redis://redis:6379');
      expect(parsed.tokenEncryptionKeys).toHaveLength(1);
      // The stop grace period covers the broker's drain and close.
      const grace = parseDuration(broker.stop_grace_period ?? '10s');
      expect(grace).toBeGreaterThanOrEqual(parsed.shutdownDrainMs + parsed.shutdownTimeoutMs);
    }
    // Fleet mode needs every replica on the same Redis, key and prefix.
    const shared = brokers.map(([, broker]) => {
      const { PORT: _port, ...rest } = composeEnv(broker);
      return rest;
    });
    expect(shared[1]).toEqual(shared[0]);
  });

  it('mounts config/compose.yaml where BROKER_CONFIG points, and it validates', () => {
    for (const [, broker] of brokers) {
      const target = composeEnv(broker)['BROKER_CONFIG'];
      const mount = mounts(broker).find(([, inContainer]) => inContainer === target);
      expect(mount?.[0]).toBe('./config/compose.yaml');
    }
    const config = parseBrokerConfig(configText, '/etc/token-broker/broker.yaml');
    expect(config.callers.some((c) => c.roles.includes('admin'))).toBe(true);
  });

  it('puts the brokers in the emulator network namespace, so the loopback imsUrl is honest', () => {
    const env = composeEnv(emulator);
    expect(env['IMS_EMULATOR_HOST']).toBe('127.0.0.1');
    const config = parseBrokerConfig(configText, '/etc/token-broker/broker.yaml');
    for (const credential of config.credentials) {
      if (credential.provider === 'oauth2') throw new Error('compose config has only IMS credentials');
      const url = new URL(credential.imsUrl);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.port).toBe(env['IMS_EMULATOR_PORT']);
    }
    for (const [, broker] of brokers) expect(broker.network_mode).toBe('service:ims-emulator');
    // Sharing one network stack, each broker needs a port of its own.
    const ports = brokers.map(([, broker]) => composeEnv(broker)['PORT']);
    expect(new Set(ports).size).toBe(brokers.length);
    expect(ports).not.toContain(env['IMS_EMULATOR_PORT']);
  });

  it('balances over every broker through the nginx config, on the port it publishes', () => {
    const lb = services['lb'] as ComposeService;
    expect(mounts(lb)).toContainEqual(['./deploy/compose/nginx.conf', '/etc/nginx/nginx.conf']);
    const alias = emulator.networks?.['default']?.aliases ?? [];
    const upstream = /upstream\s+\S+\s*\{([^}]*)\}/.exec(nginxConf)?.[1] ?? '';
    const servers = [...upstream.matchAll(/server\s+([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(servers.sort()).toEqual(brokers.map(([, broker]) => `${alias[0]}:${composeEnv(broker)['PORT']}`).sort());
    expect(upstream).not.toMatch(/\b(least_conn|ip_hash|hash|random)\b/); // round-robin
    const listen = /listen\s+(\d+)/.exec(nginxConf)?.[1];
    expect(lb.ports).toHaveLength(1);
    expect(lb.ports?.[0]?.split(':').at(-1)).toBe(listen);
    for (const [name] of brokers) expect(lb.depends_on?.[name]?.condition).toBe('service_healthy');
  });

  it('agrees on the demo secret between the config, the LocalStack init script and the emulator', () => {
    const config = parseBrokerConfig(configText, '/etc/token-broker/broker.yaml');
    const secretId = /^SECRET_ID=(\S+)$/m.exec(initScript)?.[1];
    const secretString = /^SECRET_STRING='(.*)'$/m.exec(initScript)?.[1] ?? '{}';
    const clientSecret = (JSON.parse(secretString) as { client_secret?: string }).client_secret;
    const clients = emulatorClients();
    for (const credential of config.credentials) {
      expect(credential.secret).toMatchObject({ source: 'aws', secretId });
      const client = clients.find((c) => c.clientId === credential.clientId);
      expect(client?.secrets).toContain(clientSecret);
    }
    const localstack = services['localstack'] as ComposeService;
    expect(mounts(localstack)).toContainEqual(['./deploy/compose/localstack/init-secrets.sh', '/etc/localstack/init/ready.d/init-secrets.sh']);
    expect(composeEnv(localstack)['SERVICES']).toContain('secretsmanager');
    for (const [, broker] of brokers) {
      const endpoint = new URL(composeEnv(broker)['AWS_ENDPOINT_URL_SECRETS_MANAGER'] ?? '');
      expect(endpoint.hostname).toBe('localstack');
      expect(endpoint.port).toBe('4566');
    }
  });

  it('documents API keys that match the configured callers', () => {
    const config = parseBrokerConfig(configText, '/etc/token-broker/broker.yaml');
    const header = readText('docker-compose.yml');
    const callerKey = /Authorization: Bearer ([\w-]+)/.exec(header)?.[1] ?? '';
    const adminKey = /BROKER_ADMIN_KEY=([\w-]+)/.exec(header)?.[1] ?? '';
    const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(config.callers.find((c) => c.apiKeySha256 === sha(callerKey))?.roles).toEqual([]);
    expect(config.callers.find((c) => c.apiKeySha256 === sha(adminKey))?.roles).toEqual(['admin']);
  });

  it('mounts only files that exist', () => {
    for (const service of Object.values(services)) {
      for (const [host] of mounts(service)) expect({ host, exists: existsSync(join(ROOT, host)) }).toEqual({ host, exists: true });
    }
  });
});

describe('the compose IMS emulator', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it('reads only variables the emulator knows, and serves the demo client from the compiled image path', async () => {
    const known = new Set([...readText('test/support/ims-emulator.ts').matchAll(/process\.env\['(\w+)'\]/g)].map((m) => m[1]));
    const env = composeEnv(emulator);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);

    expect(emulator.command?.[0]).toBe('node');
    const entry = emulator.command?.[1] ?? '';
    expect(entry).toBe('dist/test/support/ims-emulator.js');
    expect(existsSync(join(ROOT, 'test/support/ims-emulator.ts'))).toBe(true);
    // dist/ is shared with concurrent builds, which empty it first: wait for the file rather than fail.
    await waitUntil(() => existsSync(join(ROOT, entry)), entry, 60_000, 200);

    // Start it as compose would (on a free port instead of 9000) and mint a token for the demo client.
    const port = String(await freePort());
    child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, IMS_EMULATOR_PORT: port },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ims emulator listening')) resolve();
      });
      child?.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const [client] = emulatorClients();
    const response = await fetch(`http://127.0.0.1:${port}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client?.clientId ?? '',
        client_secret: client?.secrets[0] ?? '',
        scope: 'openid,AdobeID,read_organizations',
      }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown).toMatchObject({ token_type: 'bearer', expires_in: Number(env['IMS_EMULATOR_TOKEN_LIFETIME_SECONDS']) });

    // Its compose healthcheck passes against it.
    const test = emulator.healthcheck?.test ?? [];
    expect(test[0]).toBe('CMD');
    const argv = test.slice(1).map((arg) => arg.replace(':9000/', `:${port}/`));
    const code = await new Promise<number>((resolve) => {
      execFile(process.execPath, argv.slice(1), { timeout: 10_000 }, (error) => resolve(error === null ? 0 : Number(error.code ?? -1)));
    });
    expect(code).toBe(0);
  });
});
