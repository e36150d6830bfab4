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
 * Where the audit trail (`AuditLog`) writes its lines: `destination` (AUDIT_LOG's file) or else the root
 * logger's own stream, so audit and service lines never interleave mid-line.
 */
export function auditDestination(root: RootLogger, destination?: DestinationStream): DestinationStream {
  return destination ?? (root as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
}
