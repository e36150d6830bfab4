import { ConfigValidationError, loadBrokerConfig } from '@broker/config';
import { DEFAULT_CONFIG_PATH, MESSAGES } from './brokerctl.constants';

/** What `config validate` prints: one line on success, else the broker's own boot message. */
export interface ConfigValidateResult {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * `brokerctl config validate [FILE]`: the broker's own loader and rules, offline (no broker, no secrets
 * read), so a CI pipeline that changes the ConfigMap fails where the broker would refuse to boot.
 * `file` defaults to BROKER_CONFIG, else the broker's default path.
 */
export function validateConfigFile(file: string | undefined): ConfigValidateResult {
  const path = file === undefined || file.trim() === '' ? DEFAULT_CONFIG_PATH : file;
  try {
    const config = loadBrokerConfig(path);
    return { ok: true, text: MESSAGES.configValid(path, config.credentials.length, config.callers.length) };
  } catch (error) {
    if (error instanceof ConfigValidationError) return { ok: false, text: error.message };
    throw error;
  }
}
