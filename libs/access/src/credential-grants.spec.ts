import { compileGrants, isGranted } from './credential-grants';

describe('credential grants', () => {
  it.each([
    [['aep-*'], 'aep-prod', true],
    [['aep-*'], 'aep-', true],
    [['aep-*'], 'campaign-prod', false],
    [['aep-*'], 'xaep-prod', false],
    [['*-prod'], 'campaign-prod', true],
    [['*-prod'], 'campaign-stage', false],
    [['a.b*'], 'axb-1', false],
    [['a.b*'], 'a.b-1', true],
    [['aep-prod'], 'aep-prod', true],
    [['aep-prod'], 'aep-prod2', false],
    [['*'], 'anything', true],
    [['aep-*', 'journeys'], 'journeys', true],
  ])('%j grants %s: %s', (entries, id, expected) => {
    expect(isGranted(compileGrants(entries), id)).toBe(expected);
  });

  it('tells the all-wildcard apart', () => {
    expect(compileGrants(['*']).all).toBe(true);
    expect(compileGrants(['aep-*']).all).toBe(false);
  });
});
