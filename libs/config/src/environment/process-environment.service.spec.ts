import { ProcessEnvironment } from './process-environment.service';

describe('ProcessEnvironment', () => {
  it('returns captured variables and undefined for unset ones', () => {
    const environment = new ProcessEnvironment({ AEP_CLIENT_SECRET: 's', EMPTY: '', UNSET: undefined });

    expect(environment.get('AEP_CLIENT_SECRET')).toBe('s');
    expect(environment.get('EMPTY')).toBe('');
    expect(environment.get('UNSET')).toBeUndefined();
    expect(environment.get('MISSING')).toBeUndefined();
  });

  it('is a copy: later changes to the source do not show', () => {
    const source: NodeJS.ProcessEnv = { A: '1' };
    const environment = new ProcessEnvironment(source);
    source['A'] = '2';
    source['B'] = '3';

    expect(environment.get('A')).toBe('1');
    expect(environment.get('B')).toBeUndefined();
  });

  it('captures process.env', () => {
    const name = 'CONFIG_LIB_SPEC_VARIABLE';
    process.env[name] = 'captured';
    try {
      const environment = ProcessEnvironment.capture();
      delete process.env[name];

      expect(environment.get(name)).toBe('captured');
    } finally {
      delete process.env[name];
    }
  });
});
