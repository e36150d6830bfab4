import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type ConfigIssue, ConfigService, ConfigValidationError, type CredentialConfig } from '@broker/config';
import { SecretsService } from './secrets.service';

/** How long boot waits for Secrets Manager before going on (the read continues and fills the cache). */
export const BOOT_SECRET_READ_BUDGET_MS = 5_000;

/** Where in the config file a secret's location is written, for the boot error's path. */
function locationPath(credential: CredentialConfig, index: number): string {
  const field = credential.secret.source === 'env' ? 'name' : credential.secret.source === 'file' ? 'path' : 'secretId';
  return `credentials[${index}].secret.${field}`;
}

/**
 * Reads every credential's secret once at boot. An `env` variable that is unset or a `file` that is missing
 * or unreadable cannot fix itself: boot stops with a `ConfigValidationError` naming the credential and the
 * variable or path (exit 78 in main.ts). Secrets Manager may be briefly unreachable: boot goes on, with one
 * `warn` line carrying the SDK's own cause, which readiness and the admin API also show.
 */
@Injectable()
export class SecretsBootCheck implements OnModuleInit {
  private readonly logger = new Logger(SecretsBootCheck.name);

  constructor(
    private readonly config: ConfigService,
    private readonly secrets: SecretsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const config = this.config.current;
    const issues: ConfigIssue[] = [];
    await Promise.all(
      config.credentials.map(async (credential, index) => {
        const result = await this.readWithinBudget(credential);
        if (result.ok) return;
        if (credential.secret.source === 'aws') {
          this.logger.warn({
            msg: 'secret not readable at boot; starting anyway and retrying when it is needed',
            credential_id: credential.id,
            secret_id: credential.secret.secretId,
            reason: result.reason,
          });
          return;
        }
        issues.push({ path: locationPath(credential, index), message: `credential '${credential.id}': ${result.reason}` });
      }),
    );
    if (issues.length > 0) throw new ConfigValidationError(config.source, issues.sort((a, b) => a.path.localeCompare(b.path)));
  }

  private async readWithinBudget(credential: CredentialConfig): Promise<{ ok: true } | { ok: false; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<{ ok: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${BOOT_SECRET_READ_BUDGET_MS} ms` }), BOOT_SECRET_READ_BUDGET_MS);
    });
    try {
      return await Promise.race([this.secrets.prefetch(credential), budget]);
    } finally {
      clearTimeout(timer);
    }
  }
}
