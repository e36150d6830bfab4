import { InvalidRequestError } from '@broker/problems';
import { parseCredentialId, parseMinTtl } from './token-request';

describe('token request parsing', () => {
  it.each(['aep-prod', 'a', 'A.b_c-9', 'x'.repeat(64)])('accepts credential id %p', (id) => {
    expect(parseCredentialId(id)).toBe(id);
  });

  it.each(['', 'x'.repeat(65), '../etc', 'a b', '{cred:x}', 'a%00', 'é'])('rejects credential id %p', (id) => {
    expect(() => parseCredentialId(id)).toThrow(InvalidRequestError);
  });

  it('defaults min_ttl and accepts whole seconds up to a day', () => {
    expect(parseMinTtl({}, 300)).toBe(300);
    expect(parseMinTtl({ min_ttl: '0' }, 300)).toBe(0);
    expect(parseMinTtl({ min_ttl: '86400' }, 300)).toBe(86_400);
  });

  it.each([{ min_ttl: '-1' }, { min_ttl: '1.5' }, { min_ttl: '86401' }, { min_ttl: 'abc' }, { min_ttl: ['1', '2'] }, { ttl: '5' }])(
    'rejects %p',
    (query) => {
      expect(() => parseMinTtl(query, 300)).toThrow(InvalidRequestError);
    },
  );
});
