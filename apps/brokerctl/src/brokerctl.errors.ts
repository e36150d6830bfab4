import { EXIT, type ExitCode } from './brokerctl.constants';
import type { Problem } from './admin-api.types';

/** A failure the CLI reports with one `error: …` line and an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments or missing settings (exit 2, with the usage text). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The broker answered with an RFC 9457 problem; `body` is the problem as sent, for `--json`. */
export class ProblemError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly body: unknown,
  ) {
    super(describeProblem(status, problem), exitCodeFor(status));
    this.name = 'ProblemError';
  }
}

/** The exit status a problem's HTTP status maps to. */
export function exitCodeFor(status: number): ExitCode {
  if (status === 400) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failure;
}

function describeProblem(status: number, problem: Problem): string {
  const title = problem.title ?? `HTTP ${status}`;
  const code = problem.code ?? 'unknown';
  return problem.detail === undefined ? `${title} (${code})` : `${title} (${code}): ${problem.detail}`;
}
