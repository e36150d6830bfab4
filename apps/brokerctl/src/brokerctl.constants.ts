/** Exit statuses: scripts branch on these, so they are part of the CLI's contract. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Anything not covered below: the broker unreachable, a 5xx, a rejected config reload. */
  failure: 1,
  /** Bad arguments, a missing key, a 400 from the broker. */
  usage: 2,
  /** 401/403: the key is wrong or lacks the admin role. */
  auth: 3,
  notFound: 4,
  /** 409, e.g. a rotation already in progress. */
  conflict: 5,
  /** `config validate`: the file is invalid; sysexits(3) EX_CONFIG, as the broker's own refusal to boot. */
  config: 78,
} as const);

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const DEFAULT_BROKER_URL = 'http://127.0.0.1:8080';
/** What the broker reads when BROKER_CONFIG is unset (libs/config ENV_DEFAULTS.configPath). */
export const DEFAULT_CONFIG_PATH = 'config/broker.yaml';
export const REQUEST_TIMEOUT_MS = 15_000;

/** Same shape the broker accepts (libs/config ID_PATTERN); checked here so an id cannot become `..` in a path. */
export const CREDENTIAL_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Printable ASCII, as the broker requires of API keys; anything else could not go in a header anyway. */
export const ADMIN_KEY_PATTERN = /^[\x20-\x7e]{8,512}$/;

export const USAGE = `usage: brokerctl <command> [options]

commands:
  status [<id>]            every credential's token, refresh and secret state, or one credential in detail
  refresh <id>             mint a new token for the credential now
  evict <id>               drop the held token (the next request mints a new one)
  rotate <id> [--dry-run]  start a client-secret rotation (--dry-run: check the steps, change nothing)
  rotations <id>           the credential's current rotation and its history
  reload                   re-read and apply the broker's config file
  config validate [<file>] check a config file offline with the broker's own rules
                           (default: $BROKER_CONFIG, else ${DEFAULT_CONFIG_PATH}); needs no broker or key

options:
  --json                   print the broker's JSON answer instead of a table
  --url <url>              the broker (default: $BROKER_URL, else ${DEFAULT_BROKER_URL})
  --key-file <path>        read the admin API key from this file (default: $BROKER_ADMIN_KEY)
  -h, --help               this text

exit status: 0 ok, 1 other failure, 2 usage, 3 authentication/authorization, 4 not found, 5 conflict,
  78 invalid config file (config validate)
`;

export const MESSAGES = {
  noCommand: 'no command given',
  unknownCommand: (name: string) => `unknown command '${name}'`,
  missingId: (command: string) => `'${command}' needs a credential id`,
  extraArguments: (command: string) => `too many arguments for '${command}'`,
  badId: 'the credential id must be 1-64 characters of A-Z a-z 0-9 . _ -',
  dryRunOnlyForRotate: '--dry-run applies to rotate only',
  configSubcommand: "'config' takes a subcommand: config validate [<file>]",
  configOptions: 'config validate takes no options',
  configValid: (path: string, credentials: number, callers: number) =>
    `${path}: valid (${credentials} credential${credentials === 1 ? '' : 's'}, ${callers} caller${callers === 1 ? '' : 's'})`,
  badUrl: 'the broker URL must be an http:// or https:// URL without user name or password',
  noKey: 'no admin API key: set BROKER_ADMIN_KEY or pass --key-file <path>',
  keyFileUnreadable: (path: string, reason: string) => `cannot read the key file ${path} (${reason})`,
  badKey: 'the admin API key must be 8-512 printable ASCII characters',
  plainHttp: (host: string) => `warning: sending the admin API key over plain http to ${host}`,
  unreachable: (url: string, reason: string) => `cannot reach the broker at ${url} (${reason})`,
  timeout: (url: string, ms: number) => `the broker at ${url} did not answer within ${ms} ms`,
  redirect: (status: number) => `the broker answered with a redirect (HTTP ${status}); check the URL`,
  unexpectedStatus: (status: number) => `unexpected answer from the broker (HTTP ${status})`,
  unexpectedBody: (what: string) => `unexpected answer from the broker: ${what}`,
  dryRunBlocked: (id: string, code: unknown, detail: unknown) =>
    `a rotation of ${id} would stop (${typeof code === 'string' ? code : 'unknown'})${typeof detail === 'string' ? `: ${detail}` : ''}`,
} as const;
