import { MESSAGES } from './config.constants';
import { DEMO_KEY_SHA256, callerDoc, configDoc, issuesOf, parseDoc, type Doc } from './config.fixtures';

const withCaller = (overrides: Doc): Doc => configDoc({ callers: [callerDoc(overrides)] });

describe('callers[]', () => {
  it.each([
    ['id', { id: 'billing svc' }, MESSAGES.id],
    ['id', { id: undefined }, MESSAGES.required],
    ['apiKeySha256', { apiKeySha256: 'demo-key' }, MESSAGES.apiKeySha256],
    ['apiKeySha256', { apiKeySha256: DEMO_KEY_SHA256.slice(1) }, MESSAGES.apiKeySha256],
    ['apiKeySha256', { apiKeySha256: `${DEMO_KEY_SHA256.slice(1)}g` }, MESSAGES.apiKeySha256],
    ['apiKeySha256', { apiKeySha256: undefined }, MESSAGES.required],
    ['credentials', { credentials: undefined }, MESSAGES.required],
    ['credentials', { credentials: [] }, MESSAGES.emptyList],
    ['credentials', { credentials: 'aep-prod' }, MESSAGES.notList('a string')],
    ['credentials[0]', { credentials: ['aep prod'] }, MESSAGES.credentialRef],
    ['credentials[1]', { credentials: ['aep-prod', 'aep-prod'] }, MESSAGES.repeats('callers[0].credentials[0]')],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withCaller(overrides))).toEqual([{ path: `callers[0].${field}`, message }]);
  });

  it('normalises apiKeySha256 to lower case', () => {
    const config = parseDoc(withCaller({ apiKeySha256: DEMO_KEY_SHA256.toUpperCase() }));

    expect(config.callers[0]?.apiKeySha256).toBe(DEMO_KEY_SHA256);
  });

  it("accepts '*' for every credential", () => {
    expect(parseDoc(withCaller({ credentials: ['*'] })).callers[0]?.credentials).toEqual(['*']);
  });

  it("accepts '*' even with no credentials configured", () => {
    expect(parseDoc({ callers: [callerDoc({ credentials: ['*'] })] }).callers).toHaveLength(1);
  });

  it("rejects '*' next to other entries", () => {
    expect(issuesOf(withCaller({ credentials: ['*', 'aep-prod'] }))).toEqual([
      { path: 'callers[0].credentials', message: MESSAGES.wildcardNotAlone },
    ]);
  });

  it('accepts a config without callers (the broker then serves nobody)', () => {
    expect(parseDoc(configDoc({ callers: undefined })).callers).toEqual([]);
    expect(parseDoc(configDoc({ callers: [] })).callers).toEqual([]);
  });
});
