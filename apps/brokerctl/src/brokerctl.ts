import { AdminApiClient } from './admin-api.client';
import { validateConfigFile } from './config-validate.command';
import type { CredentialList, CredentialStatus, RefreshResult, ReloadResult, Rotation, RotationHistory } from './admin-api.types';
import {
  credentialDetail,
  statusView,
  dryRunReport,
  evicted,
  problemIssues,
  refreshed,
  reloaded,
  rotationStarted,
  rotationsView,
} from './admin.views';
import { ADMIN_KEY_PATTERN, DEFAULT_BROKER_URL, EXIT, type ExitCode, MESSAGES, USAGE } from './brokerctl.constants';
import { CliError, ProblemError, UsageError } from './brokerctl.errors';
import { type CliArgs, type Command, parseCliArgs } from './cli-args.parser';

/** The only environment variables brokerctl reads. */
export interface BrokerctlEnv {
  readonly BROKER_URL?: string;
  readonly BROKER_ADMIN_KEY?: string;
  /** The broker's config file, the default of `config validate`. */
  readonly BROKER_CONFIG?: string;
}

/** Where output goes and how files and time are read; `main.ts` passes the real ones, tests may not. */
export interface BrokerctlIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
  readonly now: () => number;
}

interface Output {
  readonly text: string;
  /** What `--json` prints; the broker's body unless the answer had none. */
  readonly json: unknown;
  /** A 2xx answer that still means "no": printed as `error: …` after the output, with a non-zero status. */
  readonly failure?: CliError;
}

/** Runs one brokerctl invocation and resolves with its exit status; never throws. */
export async function runBrokerctl(argv: readonly string[], env: BrokerctlEnv, io: BrokerctlIo): Promise<ExitCode> {
  let adminKey: string | undefined;
  // Every line leaves through here: the key is masked wherever it might surface (an echoing server, a
  // pasted argument), and control characters from the broker's answers cannot drive the terminal.
  const clean = (text: string): string => {
    const masked = adminKey === undefined ? text : text.split(adminKey).join('[redacted]');
    return masked.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, '?');
  };
  const out = (text: string): void => io.stdout(`${clean(text)}\n`);
  const err = (text: string): void => io.stderr(`${clean(text)}\n`);

  let args: CliArgs | undefined;
  try {
    args = parseCliArgs(argv);
    if (args.command.name === 'help') {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    if (args.command.name === 'config-validate') {
      const result = validateConfigFile(args.command.file ?? env.BROKER_CONFIG);
      (result.ok ? out : err)(result.text);
      return result.ok ? EXIT.ok : EXIT.config;
    }
    const baseUrl = brokerUrl(args.url ?? env.BROKER_URL);
    adminKey = readAdminKey(args.keyFile, env.BROKER_ADMIN_KEY, io);
    if (baseUrl.protocol === 'http:' && !isLoopback(baseUrl.hostname)) err(MESSAGES.plainHttp(baseUrl.host));
    const output = await execute(args.command, new AdminApiClient(baseUrl, adminKey), io.now);
    out(args.json ? JSON.stringify(output.json, null, 2) : output.text);
    if (output.failure) {
      err(`error: ${output.failure.message}`);
      return output.failure.exitCode;
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof CliError)) {
      err(`error: internal error in brokerctl: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failure;
    }
    if (error instanceof ProblemError && args?.json === true) out(JSON.stringify(error.body, null, 2));
    err(`error: ${error.message}`);
    if (error instanceof ProblemError) problemIssues(error.problem).forEach(err);
    if (error instanceof UsageError) err("run 'brokerctl --help' for usage");
    return error.exitCode;
  }
}

async function execute(command: Exclude<Command, { name: 'help' | 'config-validate' }>, client: AdminApiClient, now: () => number): Promise<Output> {
  switch (command.name) {
    case 'status': {
      if (command.id === undefined) {
        const { body } = await client.send({ method: 'GET', path: '/admin/credentials' });
        const list = expectObject<CredentialList>(body, 'credentials');
        if (!Array.isArray(list.credentials)) throw new CliError(MESSAGES.unexpectedBody('no credentials list'), EXIT.failure);
        return { text: statusView(list, now()), json: body };
      }
      const { body } = await client.send({ method: 'GET', path: credentialPath(command.id) });
      return { text: credentialDetail(expectObject<CredentialStatus>(body, 'credential'), now()), json: body };
    }
    case 'refresh': {
      const { body } = await client.send({ method: 'POST', path: `${credentialPath(command.id)}/refresh` });
      return { text: refreshed(expectObject<RefreshResult>(body, 'refresh result')), json: body };
    }
    case 'evict': {
      await client.send({ method: 'DELETE', path: `${credentialPath(command.id)}/token` });
      // 204 has no body; --json still prints something a script can test.
      return { text: evicted(command.id), json: { credential_id: command.id, evicted: true } };
    }
    case 'rotate': {
      const path = `${credentialPath(command.id)}/rotations`;
      if (!command.dryRun) {
        const { body } = await client.send({ method: 'POST', path });
        return { text: rotationStarted(command.id, expectObject<Rotation>(body, 'rotation')), json: body };
      }
      const { body } = await client.send({ method: 'POST', path, query: { dryRun: 'true' } });
      const report = expectObject<Rotation>(body, 'dry-run report');
      // A blocked dry run is a 200, but `rotate --dry-run && rotate` must not go on to the real thing.
      const failure = report.state === 'blocked' ? new CliError(MESSAGES.dryRunBlocked(command.id, report['error_code'], report['detail']), EXIT.failure) : undefined;
      return { text: dryRunReport(command.id, report), json: body, ...(failure && { failure }) };
    }
    case 'rotations': {
      const { body } = await client.send({ method: 'GET', path: `${credentialPath(command.id)}/rotations` });
      return { text: rotationsView(command.id, expectObject<RotationHistory>(body, 'rotations')), json: body };
    }
    case 'reload': {
      const { body } = await client.send({ method: 'POST', path: '/admin/config/reload' });
      return { text: reloaded(expectObject<ReloadResult>(body, 'reload result')), json: body };
    }
    default: {
      const unreachable: never = command;
      throw new CliError(`unhandled command ${JSON.stringify(unreachable)}`, EXIT.failure);
    }
  }
}

function credentialPath(id: string): string {
  return `/admin/credentials/${encodeURIComponent(id)}`;
}

function expectObject<T>(body: unknown, what: string): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CliError(MESSAGES.unexpectedBody(`expected a ${what} object`), EXIT.failure);
  }
  return body as T;
}

function brokerUrl(text: string | undefined): URL {
  const value = text === undefined || text.trim() === '' ? DEFAULT_BROKER_URL : text.trim();
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    throw new UsageError(MESSAGES.badUrl);
  }
  return url;
}

function readAdminKey(keyFile: string | undefined, fromEnv: string | undefined, io: BrokerctlIo): string {
  let key: string | undefined = fromEnv?.trim();
  if (keyFile !== undefined) {
    try {
      key = io.readFile(keyFile).trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(MESSAGES.keyFileUnreadable(keyFile, code));
    }
  }
  if (key === undefined || key === '') throw new UsageError(MESSAGES.noKey);
  if (!ADMIN_KEY_PATTERN.test(key)) throw new UsageError(MESSAGES.badKey);
  return key;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
