import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImsEmulator } from '../../test/support/ims-emulator';

export interface WorldOptions {
  /** How many credentials (ids `cred-00001`, …) unless `ids` is given. */
  readonly count?: number;
  readonly ids?: readonly string[];
  /** What the bench caller is granted; default `['*']`. */
  readonly grant?: readonly string[];
  /** Extra roles of the bench caller (`admin` opens /admin and, where it is protected, /metrics). */
  readonly roles?: readonly string[];
  /** The config's `tokens:` section (refreshAt, refreshJitter, …); defaults when absent. */
  readonly tokens?: Readonly<Record<string, string | number>>;
  /** expires_in of the tokens the emulator issues. */
  readonly tokenLifetimeSeconds?: number;
}

/**
 * One scenario's world: the IMS emulator (test/support) with one client per credential, client secrets in
 * files (`source: file`; 10,000 credentials would not fit a process environment), one caller API key,
 * a Redis encryption key, and the broker config YAML that ties them together.
 */
export class BenchWorld {
  readonly encryptionKeys = `k1:${randomBytes(32).toString('base64')}`;

  private constructor(
    readonly ims: ImsEmulator,
    readonly ids: readonly string[],
    readonly dir: string,
    readonly apiKey: string,
    readonly config: string,
  ) {}

  static async create(options: WorldOptions): Promise<BenchWorld> {
    const ids = options.ids ?? Array.from({ length: options.count ?? 1 }, (_, i) => `cred-${String(i + 1).padStart(5, '0')}`);
    const dir = mkdtempSync(join(tmpdir(), 'broker-bench-'));
    const secretsDir = join(dir, 'secrets');
    mkdirSync(secretsDir);
    const ims = await ImsEmulator.start();
    if (options.tokenLifetimeSeconds !== undefined) ims.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    const credentials: string[] = [];
    for (const id of ids) {
      const secret = randomBytes(18).toString('base64url');
      const path = join(secretsDir, id);
      writeFileSync(path, secret, { mode: 0o600 });
      ims.addClient({ clientId: `client-${id}`, secrets: [secret] });
      credentials.push(
        [
          `  - id: ${id}`,
          '    provider: adobe-ims',
          `    imsUrl: ${ims.url}`,
          `    clientId: client-${id}`,
          `    orgId: ORG${id.replace(/[^A-Za-z0-9]/g, '')}@AdobeOrg`,
          '    scopes: [openid, AdobeID]',
          `    secret: { source: file, path: ${path} }`,
        ].join('\n'),
      );
    }
    const apiKey = `bench-${randomBytes(16).toString('hex')}`;
    const grant = options.grant ?? ['*'];
    const tokens = Object.entries(options.tokens ?? {});
    const config = [
      'credentials:',
      ...credentials,
      'callers:',
      '  - id: bench',
      `    apiKeySha256: ${createHash('sha256').update(apiKey).digest('hex')}`,
      `    credentials: [${grant.map((g) => `'${g}'`).join(', ')}]`,
      ...(options.roles?.length ? [`    roles: [${options.roles.join(', ')}]`] : []),
      ...(tokens.length ? ['tokens:', ...tokens.map(([key, value]) => `  ${key}: ${value}`)] : []),
      '',
    ].join('\n');
    return new BenchWorld(ims, ids, dir, apiKey, config);
  }

  /** Environment for a broker of this world; `redisUrl` switches on fleet mode. */
  env(options: { redisUrl?: string; logLevel?: string; auditLog?: string; extra?: Record<string, string> } = {}): Record<string, string> {
    return {
      LOG_LEVEL: options.logLevel ?? 'warn',
      // The bench stops brokers often; the readiness drain (meant for load balancers) would only add waiting.
      SHUTDOWN_DRAIN: '0',
      ...(options.auditLog ? { AUDIT_LOG: options.auditLog } : {}),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl, TOKEN_ENCRYPTION_KEYS: this.encryptionKeys } : {}),
      ...options.extra,
    };
  }

  /** Upstream token requests per client id since `sinceIndex` (an index into `ims.requests`). */
  callsPerCredential(sinceIndex = 0): Map<string, number> {
    const counts = new Map<string, number>(this.ids.map((id) => [id, 0]));
    for (const request of this.ims.requests.slice(sinceIndex)) {
      const id = (request.params['client_id'] ?? '').replace(/^client-/, '');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** Credentials called upstream more than once since `sinceIndex`, with the times of their calls (ms after the first). */
  duplicates(sinceIndex = 0, limit = 20): { credential: string; callsAtMs: number[] }[] {
    const times = new Map<string, number[]>();
    for (const request of this.ims.requests.slice(sinceIndex)) {
      const id = (request.params['client_id'] ?? '').replace(/^client-/, '');
      times.set(id, [...(times.get(id) ?? []), request.receivedAt]);
    }
    return [...times.entries()]
      .filter(([, at]) => at.length > 1)
      .slice(0, limit)
      .map(([credential, at]) => ({ credential, callsAtMs: at.map((t) => t - (at[0] as number)) }));
  }

  async close(): Promise<void> {
    await this.ims.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
