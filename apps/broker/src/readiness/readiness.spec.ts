import { credentialsComponent, credentialsComponentOf } from './credential-readiness';
import { readinessOf } from './readiness.report';

describe('readinessOf', () => {
  it('is ready (200, ok) when every component is up', () => {
    const report = readinessOf({ config: { status: 'up' }, redis: { status: 'up' } });
    expect(report).toMatchObject({ state: 'ready', httpStatus: 200, body: { status: 'ok', error: {} } });
    expect(Object.keys(report.body.info)).toEqual(['config', 'redis']);
  });

  it('is degraded (still 200) when a component is degraded, listing it under error with its reason', () => {
    const report = readinessOf({ config: { status: 'up' }, redis: { status: 'degraded', reason: 'redis 10.0.0.1:6379 unreachable (ECONNREFUSED) since 12:03:04Z' } });
    expect(report).toMatchObject({ state: 'degraded', httpStatus: 200, body: { status: 'degraded' } });
    expect(report.body.error).toEqual({ redis: { status: 'degraded', reason: 'redis 10.0.0.1:6379 unreachable (ECONNREFUSED) since 12:03:04Z' } });
    expect(Object.keys(report.body.details)).toEqual(['config', 'redis']);
  });

  it('is not ready (503, error) when any component is down, degraded ones notwithstanding', () => {
    const report = readinessOf({ lifecycle: { status: 'down' }, redis: { status: 'degraded' } });
    expect(report).toMatchObject({ state: 'not_ready', httpStatus: 503, body: { status: 'error' } });
  });
});

describe('credentialsComponent', () => {
  const healthy = { id: 'a', tokenHeld: false, secretAvailable: true };

  it('is up when every credential can be minted and nothing fails', () => {
    expect(credentialsComponent([healthy, { ...healthy, id: 'b', tokenHeld: true }])).toEqual({ status: 'up', servable: 2, total: 2 });
  });

  it('is up with no credentials at all (nothing to serve is not a failure)', () => {
    expect(credentialsComponent([])).toEqual({ status: 'up', servable: 0, total: 0 });
  });

  it('is degraded when one credential cannot be served but another can, giving the cause', () => {
    const component = credentialsComponent([healthy, { id: 'b', tokenHeld: false, secretAvailable: false, secretFailure: 'environment variable X is not set' }]);
    expect(component).toEqual({
      status: 'degraded',
      servable: 1,
      total: 2,
      unservable: { b: 'no token held; secret unreadable: environment variable X is not set' },
    });
  });

  it('counts a held token as servable even when the provider rejects the credential, but says so', () => {
    const component = credentialsComponent([{ id: 'a', tokenHeld: true, secretAvailable: true, refreshFailure: { code: 'upstream_invalid_client', rejected: true } }]);
    expect(component).toEqual({ status: 'degraded', servable: 1, total: 1, impaired: { a: 'token held; identity provider rejects it (upstream_invalid_client)' } });
  });

  it('treats a transient provider failure as degraded, not unservable (a way to mint remains)', () => {
    const component = credentialsComponent([{ id: 'a', tokenHeld: false, secretAvailable: true, refreshFailure: { code: 'upstream_unavailable', rejected: false } }]);
    expect(component).toEqual({ status: 'degraded', servable: 1, total: 1, impaired: { a: 'last refresh failed (upstream_unavailable)' } });
  });

  it('is down only when no credential can be served', () => {
    const component = credentialsComponent([
      { id: 'a', tokenHeld: false, secretAvailable: true, refreshFailure: { code: 'upstream_invalid_client', rejected: true } },
      { id: 'b', tokenHeld: false, secretAvailable: false },
    ]);
    expect(component).toMatchObject({ status: 'down', servable: 0, total: 2 });
  });
});

describe('credentialsComponentOf (a count of healthy credentials and the facts of the others)', () => {
  const cases = [
    [],
    [{ id: 'a', tokenHeld: false, secretAvailable: true }],
    [
      { id: 'a', tokenHeld: true, secretAvailable: true },
      { id: 'b', tokenHeld: false, secretAvailable: false, secretFailure: 'file /x missing' },
      { id: 'c', tokenHeld: true, secretAvailable: true, refreshFailure: { code: 'upstream_invalid_client', rejected: true } },
      { id: 'd', tokenHeld: false, secretAvailable: true, refreshFailure: { code: 'upstream_unavailable', rejected: false } },
      { id: 'e', tokenHeld: false, secretAvailable: true },
    ],
    [
      { id: 'a', tokenHeld: false, secretAvailable: false },
      { id: 'b', tokenHeld: false, secretAvailable: true, refreshFailure: { code: 'upstream_invalid_client', rejected: true } },
    ],
  ];

  it.each(cases.map((facts) => [facts.length, facts] as const))('answers what credentialsComponent answers for all of them (%i credentials)', (_n, facts) => {
    const healthy = facts.filter((f) => f.secretAvailable && !('refreshFailure' in f));
    const others = facts.filter((f) => !healthy.includes(f));
    expect(credentialsComponentOf(healthy.length, others)).toEqual(credentialsComponent(facts));
    expect(JSON.stringify(credentialsComponentOf(healthy.length, others))).toBe(JSON.stringify(credentialsComponent(facts)));
  });
});
