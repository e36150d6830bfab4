import { MESSAGES } from '../config.constants';

/** One problem found in the environment or the config file, located by a path such as `callers[2].apiKeySha256`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Every problem of one configuration source, reported at once so an operator fixes them in one go. */
export class ConfigValidationError extends Error {
  readonly code = 'CONFIG_INVALID';
  override readonly name = 'ConfigValidationError';
  readonly source: string;
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    super([MESSAGES.header(source), ...issues.map((i) => `  - ${i.path}: ${i.message}`)].join('\n'));
    this.source = source;
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ path: i.path, message: i.message })));
  }
}
