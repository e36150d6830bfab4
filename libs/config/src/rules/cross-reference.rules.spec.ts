import { MESSAGES } from '../config.constants';
import { DEMO_KEY_SHA256, OTHER_KEY_SHA256, callerDoc, credentialDoc, issuesOf } from '../../../../test/fixtures/config.fixtures';

describe('cross-reference rules', () => {
  it('reports a duplicate credential id at the later entry', () => {
    const doc = {
      credentials: [credentialDoc(), credentialDoc({ id: 'other' }), credentialDoc()],
      callers: [],
    };

    expect(issuesOf(doc)).toEqual([
      { path: 'credentials[2].id', message: MESSAGES.duplicateId('aep-prod', 'credentials[0]') },
    ]);
  });

  it('reports a duplicate caller id', () => {
    const doc = {
      credentials: [credentialDoc()],
      callers: [callerDoc(), callerDoc({ apiKeySha256: OTHER_KEY_SHA256 })],
    };

    expect(issuesOf(doc)).toEqual([
      { path: 'callers[1].id', message: MESSAGES.duplicateId('billing-svc', 'callers[0]') },
    ]);
  });

  it('reports a duplicate apiKeySha256 that differs only by case, without quoting it', () => {
    const doc = {
      credentials: [credentialDoc()],
      callers: [callerDoc(), callerDoc({ id: 'other', apiKeySha256: DEMO_KEY_SHA256.toUpperCase() })],
    };

    const issues = issuesOf(doc);

    expect(issues).toEqual([{ path: 'callers[1].apiKeySha256', message: MESSAGES.duplicateApiKey('callers[0]') }]);
    expect(JSON.stringify(issues).toLowerCase()).not.toContain(DEMO_KEY_SHA256);
  });

  it('reports a caller naming an unknown credential', () => {
    const doc = {
      credentials: [credentialDoc()],
      callers: [callerDoc({ credentials: ['aep-prod', 'aep-stage'] })],
    };

    expect(issuesOf(doc)).toEqual([{ path: 'callers[0].credentials[1]', message: "unknown credential 'aep-stage'" }]);
  });

  it('reports every caller reference when no credentials are configured', () => {
    expect(issuesOf({ callers: [callerDoc()] })).toEqual([
      { path: 'callers[0].credentials[0]', message: "unknown credential 'aep-prod'" },
    ]);
  });

  it('counts a credential with other problems as configured, so only the real problem is reported', () => {
    const doc = { credentials: [credentialDoc({ scopes: [] })], callers: [callerDoc({ apiKeySha256: 'bad' })] };

    expect(issuesOf(doc)).toEqual([
      { path: 'credentials[0].scopes', message: MESSAGES.emptyList },
      { path: 'callers[0].apiKeySha256', message: MESSAGES.apiKeySha256 },
    ]);
  });

  it('checks references of callers that have other problems too', () => {
    const doc = { credentials: [credentialDoc()], callers: [callerDoc({ id: 'bad id', credentials: ['nope'] })] };

    expect(issuesOf(doc)).toEqual([
      { path: 'callers[0].id', message: MESSAGES.id },
      { path: 'callers[0].credentials[0]', message: "unknown credential 'nope'" },
    ]);
  });
});
