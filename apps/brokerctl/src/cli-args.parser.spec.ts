import { UsageError } from './brokerctl.errors';
import { parseCliArgs } from './cli-args.parser';

describe('parseCliArgs', () => {
  it('reads commands, ids and options', () => {
    expect(parseCliArgs(['status'])).toEqual({ command: { name: 'status' }, json: false });
    expect(parseCliArgs(['status', 'aep-prod', '--json'])).toEqual({ command: { name: 'status', id: 'aep-prod' }, json: true });
    expect(parseCliArgs(['rotate', 'aep-prod', '--dry-run', '--url', 'https://b', '--key-file', '/k'])).toEqual({
      command: { name: 'rotate', id: 'aep-prod', dryRun: true },
      json: false,
      url: 'https://b',
      keyFile: '/k',
    });
    expect(parseCliArgs(['reload']).command).toEqual({ name: 'reload' });
    expect(parseCliArgs(['-h']).command).toEqual({ name: 'help' });
    expect(parseCliArgs(['help']).command).toEqual({ name: 'help' });
    expect(parseCliArgs(['config', 'validate']).command).toEqual({ name: 'config-validate' });
    expect(parseCliArgs(['config', 'validate', 'deploy/broker.yaml']).command).toEqual({ name: 'config-validate', file: 'deploy/broker.yaml' });
  });

  it.each([[[]], [['nope']], [['evict']], [['evict', '.']], [['evict', 'a', 'b']], [['reload', 'x']], [['refresh', 'x', '--dry-run']], [['status', '--bogus']], [['config']], [['config', 'check']], [['config', 'validate', 'a', 'b']], [['config', 'validate', '--json']], [['config', 'validate', '--url', 'https://b']]])(
    'rejects %j as usage',
    (argv) => {
      expect(() => parseCliArgs(argv)).toThrow(UsageError);
    },
  );
});
