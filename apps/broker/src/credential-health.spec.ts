import { UpstreamBadResponseError, UpstreamRejectedError, UpstreamUnavailableError } from '@broker/issuers';
import { DomainError } from '@broker/problems';
import { isRejection, refreshHealth } from './credential-health';

describe('refreshHealth', () => {
  it('counts failures in a row and is healthy without a failure', () => {
    expect(refreshHealth({})).toEqual({ refreshFailures: 0, rejected: false });
    expect(refreshHealth({ failure: { consecutive: 3, error: new UpstreamUnavailableError('timeout') } })).toEqual({ refreshFailures: 3, rejected: false });
    expect(refreshHealth({ failure: { consecutive: 1, error: new UpstreamRejectedError('invalid_client', 401) } })).toEqual({ refreshFailures: 1, rejected: true });
  });

  it('calls a rejection only what the provider refused, also when another instance shared the failure', () => {
    expect(isRejection(new UpstreamRejectedError('invalid_scope', 400))).toBe(true);
    expect(isRejection(new UpstreamRejectedError('<html>', 400))).toBe(true);
    const shared = new UpstreamRejectedError('unauthorized_client', 400);
    expect(isRejection(new DomainError(shared.code, shared.status, shared.title, shared.message))).toBe(true);
    expect(isRejection(new UpstreamBadResponseError('not json'))).toBe(false);
    expect(isRejection(new UpstreamUnavailableError('reset'))).toBe(false);
    expect(isRejection(new DomainError('key_material_invalid', 502, 'x', 'y'))).toBe(false);
  });
});
