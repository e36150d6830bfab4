import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { currentRequestId } from './request-context';

export type RootLogger = Logger;

/**
 * Field names whose values are censored wherever they appear (one level deep and at the top).
 * This is a second line of defence: code must not log secret material in the first place.
 */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'access_token',
  'accessToken',
  'client_secret',
  'clientSecret',
  'secret',
  'apiKey',
  'api_key',
  'password',
  'token',
  'private_key',
  'privateKey',
];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

function requestIdMixin(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId === undefined ? {} : { request_id: requestId };
}

/** Creates the process's root logger: JSON lines, ISO time, request id on every line, secrets censored. */
export function createRootLogger(options: { level: LevelWithSilent; destination?: DestinationStream }): RootLogger {
  return pino(
    {
      level: options.level,
      base: { service: 'token-broker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: requestIdMixin,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * The audit logger: always at info whatever LOG_LEVEL says, tagged `log_type: "audit"`, written to
 * `destination` (AUDIT_LOG's file) or else to the root logger's own stream, so lines never interleave.
 * It has no redaction: `AuditLog` writes a fixed set of fields that never hold a secret, and redaction was
 * a fifth of the CPU of a cache hit (docs/benchmarks.md).
 */
export function createAuditLogger(root: RootLogger, destination?: DestinationStream): RootLogger {
  return pino(
    {
      level: 'info',
      base: { service: 'token-broker', log_type: 'audit' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      mixin: requestIdMixin,
    },
    destination ?? (root as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym],
  );
}
