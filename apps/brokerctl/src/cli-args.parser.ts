import { parseArgs } from 'node:util';
import { CREDENTIAL_ID_PATTERN, MESSAGES } from './brokerctl.constants';
import { UsageError } from './brokerctl.errors';

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'status'; readonly id?: string }
  | { readonly name: 'refresh' | 'evict' | 'rotations'; readonly id: string }
  | { readonly name: 'rotate'; readonly id: string; readonly dryRun: boolean }
  | { readonly name: 'reload' }
  /** Offline: validates a config file with the broker's own rules; no broker, URL or key involved. */
  | { readonly name: 'config-validate'; readonly file?: string };

export interface CliArgs {
  readonly command: Command;
  readonly json: boolean;
  readonly url?: string;
  readonly keyFile?: string;
}

const OPTIONS = {
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  url: { type: 'string' },
  'key-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `brokerctl <command> [id] [options]`; throws `UsageError` for anything it does not recognise. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the offending option only, never its value (which could be a pasted key); its hint
    // about `--` is dropped, as no command takes a positional starting with '-'.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split('. To specify')[0] ?? message);
  }
  const { values, positionals } = parsed;
  const common = {
    json: values.json === true,
    ...(values.url !== undefined && { url: values.url }),
    ...(values['key-file'] !== undefined && { keyFile: values['key-file'] }),
  };
  const command = values.help === true || positionals[0] === 'help' ? ({ name: 'help' } as const) : toCommand(positionals);
  const dryRun = values['dry-run'] === true;
  if (dryRun && command.name !== 'rotate' && command.name !== 'help') throw new UsageError(MESSAGES.dryRunOnlyForRotate);
  if (command.name === 'config-validate' && (values.json === true || values.url !== undefined || values['key-file'] !== undefined)) {
    throw new UsageError(MESSAGES.configOptions);
  }
  return { command: command.name === 'rotate' ? { ...command, dryRun } : command, ...common };
}

function toCommand(positionals: readonly string[]): Command {
  const [name, ...rest] = positionals;
  switch (name) {
    case undefined:
      throw new UsageError(MESSAGES.noCommand);
    case 'status': {
      expectAtMost(name, rest, 1);
      return rest[0] === undefined ? { name } : { name, id: credentialId(rest[0]) };
    }
    case 'refresh':
    case 'evict':
    case 'rotations':
      return { name, id: requiredId(name, rest) };
    case 'rotate':
      return { name, id: requiredId(name, rest), dryRun: false };
    case 'reload':
      expectAtMost(name, rest, 0);
      return { name };
    case 'config': {
      const [subcommand, ...files] = rest;
      if (subcommand !== 'validate') throw new UsageError(MESSAGES.configSubcommand);
      expectAtMost('config validate', files, 1);
      return files[0] === undefined ? { name: 'config-validate' } : { name: 'config-validate', file: files[0] };
    }
    default:
      throw new UsageError(MESSAGES.unknownCommand(name));
  }
}

function requiredId(command: string, rest: readonly string[]): string {
  expectAtMost(command, rest, 1);
  if (rest[0] === undefined) throw new UsageError(MESSAGES.missingId(command));
  return credentialId(rest[0]);
}

function expectAtMost(command: string, rest: readonly string[], count: number): void {
  if (rest.length > count) throw new UsageError(MESSAGES.extraArguments(command));
}

function credentialId(text: string): string {
  if (!CREDENTIAL_ID_PATTERN.test(text) || text === '.' || text === '..') throw new UsageError(MESSAGES.badId);
  return text;
}
