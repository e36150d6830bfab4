import { ClaimTypeError, workloadClaims } from './workload-claims';

const valid = { iss: 'https://issuer.example', sub: 'system:serviceaccount:ns:wl', aud: 'token-broker', exp: 2_000_000_000, iat: 1_900_000_000 };

describe('workloadClaims', () => {
  it('returns the issuer and subject of well-typed claims', () => {
    expect(workloadClaims(valid)).toEqual({ issuer: valid.iss, subject: valid.sub });
    expect(workloadClaims({ ...valid, aud: ['a', 'b'] }).subject).toBe(valid.sub);
  });

  it.each([
    ['sub', { sub: ['system:serviceaccount:ns:wl'] }],
    ['sub', { sub: [['system:serviceaccount:ns:wl']] }],
    ['sub', { sub: 12345 }],
    ['sub', { sub: '' }],
    ['sub', { sub: { value: 'system:serviceaccount:ns:wl' } }],
    ['iss', { iss: ['https://issuer.example'] }],
    ['aud', { aud: 7 }],
    ['aud', { aud: ['token-broker', 7] }],
    ['exp', { exp: '2000000000' }],
    ['nbf', { nbf: null }],
    ['iat', { iat: [1] }],
  ])('refuses a %s of the wrong type (%j)', (claim, override) => {
    const payload = { ...valid, ...override } as Parameters<typeof workloadClaims>[0];
    expect(() => workloadClaims(payload)).toThrow(new ClaimTypeError(claim));
  });
});
