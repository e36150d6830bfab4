import { createHash, randomBytes } from 'node:crypto';
import { AdobeConsoleEmulator } from './adobe-console-emulator';
import { type BrokerUnderTest, startBrokerFromText } from './broker-app';
import { ImsEmulator } from './ims-emulator';
import { LogCapture } from './log-capture';
import { AWSCURRENT, SecretsManagerEmulator } from './secrets-manager-emulator';

/** Ids of the rotated test credential at Adobe's Developer Console. */
export const CONSOLE_ORG = '23294';
export const CONSOLE_CREDENTIAL = '436084';

/** Options of a rotating credential in the test config. */
export interface RotatingCredential {
  readonly id: string;
  /** Extra `rotation:` lines (YAML, indented by the caller is not needed: key: value per entry). */
  readonly rotation?: Readonly<Record<string, string>>;
}

/**
 * A rotation test's world: the IMS emulator, the I/O Management API emulator wired to it, the Secrets
 * Manager emulator (reached through the real AWS SDK), and one admin and one plain caller.
 */
export class RotationWorld {
  readonly adminKey = `rot-admin-${randomBytes(12).toString('hex')}`;
  readonly appKey = `rot-app-${randomBytes(12).toString('hex')}`;
  /** Every secret value the world ever handed out, for the no-secrets-in-logs checks. */
  readonly knownSecrets = new Map<string, string>();

  private constructor(
    readonly ims: ImsEmulator,
    readonly adobe: AdobeConsoleEmulator,
    readonly sm: SecretsManagerEmulator,
  ) {}

  static async start(): Promise<RotationWorld> {
    const ims = await ImsEmulator.start();
    const adobe = await AdobeConsoleEmulator.start(ims);
    const sm = await SecretsManagerEmulator.start();
    return new RotationWorld(ims, adobe, sm);
  }

  async close(): Promise<void> {
    await Promise.all([this.adobe.close(), this.ims.close(), this.sm.close()]);
  }

  clientId(id: string): string {
    return `client-${id}`;
  }

  secretId(id: string): string {
    return `rotation/${id}`;
  }

  /** Registers credential `id` at Adobe (one secret) and in Secrets Manager (AWSCURRENT, a bare string). */
  seed(id: string, options: { json?: boolean } = {}): { secret: string; uuid: string } {
    const secret = `p8e-initial-${randomBytes(16).toString('hex')}`;
    const [uuid] = this.adobe.addCredential({ orgId: CONSOLE_ORG, credentialId: consoleCredential(id), clientId: this.clientId(id), secrets: [{ value: secret, createdAt: Date.now() - 86_400_000 }] });
    this.sm.putSecret(this.secretId(id), options.json ? JSON.stringify({ client_secret: secret, adobe_secret_uuid: uuid }) : secret);
    this.knownSecrets.set(`initial ${id}`, secret);
    return { secret, uuid: uuid as string };
  }

  /** The Adobe secrets of credential `id` (values included), oldest first. */
  adobeSecrets(id: string) {
    const secrets = this.adobe.secrets(CONSOLE_ORG, consoleCredential(id));
    for (const s of secrets) this.knownSecrets.set(`adobe ${s.uuid}`, s.value);
    return secrets;
  }

  /** The AWSCURRENT value of credential `id`, parsed when it is JSON. */
  current(id: string): { client_secret?: string; adobe_secret_uuid?: string; raw: string } {
    const raw = this.sm.getCurrent(this.secretId(id)) ?? '';
    try {
      return { ...(JSON.parse(raw) as Record<string, string>), raw };
    } catch {
      return { raw };
    }
  }

  /** Version id -> staging labels of credential `id`'s secret (labelled versions only). */
  labels(id: string): Record<string, string[]> {
    return Object.fromEntries(this.sm.versions(this.secretId(id)).filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages].sort()]));
  }

  currentVersionId(id: string): string | undefined {
    return this.sm.versions(this.secretId(id)).find((v) => v.stages.includes(AWSCURRENT))?.versionId;
  }

  /** The config file: rotating credentials with aws secrets, an admin caller and an app caller. */
  config(credentials: readonly RotatingCredential[], extra: Record<string, unknown> = {}): string {
    return JSON.stringify(
      {
        credentials: credentials.map((c) => ({
          id: c.id,
          provider: 'adobe-ims',
          imsUrl: this.ims.url,
          clientId: this.clientId(c.id),
          orgId: 'ROT0000000000000000000AA@AdobeOrg',
          scopes: ['openid', 'AdobeID'],
          secret: { source: 'aws', secretId: this.secretId(c.id) },
          rotation: {
            consoleCredentialId: consoleCredential(c.id),
            consoleOrgId: CONSOLE_ORG,
            retireAfter: '1s',
            maxRetireWait: '1m',
            window: '1s',
            consoleUrl: this.adobe.url,
            ...c.rotation,
          },
        })),
        callers: [
          { id: 'ops', apiKeySha256: sha256(this.adminKey), credentials: ['*'], roles: ['admin'] },
          { id: 'app', apiKeySha256: sha256(this.appKey), credentials: credentials.map((c) => c.id) },
        ],
        ...extra,
      },
      null,
      2,
    );
  }

  /** What the AWS SDK of a broker needs to reach the Secrets Manager emulator. */
  awsEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.sm.url,
      AWS_REGION: this.sm.region,
      AWS_ACCESS_KEY_ID: 'AKIDROTATIONTESTS',
      AWS_SECRET_ACCESS_KEY: 'rotation-tests-not-a-real-aws-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }
}

/** The Developer Console credential id of a test credential (numeric-looking, derived from its id). */
export function consoleCredential(id: string): string {
  return `${CONSOLE_CREDENTIAL}${[...id].reduce((sum, c) => sum + c.charCodeAt(0), 0)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A broker app in this process (local mode), built exactly as main.ts builds it. */
export type InProcessBroker = BrokerUnderTest;

/** Starts the app from a YAML/JSON config text, with `env` on top of a loopback host and trace logging. */
export function startInProcess(config: string, env: Record<string, string> = {}, logs = new LogCapture()): Promise<InProcessBroker> {
  return startBrokerFromText(config, { env, logs, source: '/e2e/rotation.yaml' });
}

export { eventually } from './eventually';
