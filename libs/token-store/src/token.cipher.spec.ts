import { randomBytes } from 'node:crypto';
import { TokenCipher } from './token.cipher';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('TokenCipher', () => {
  const k1 = key('k1');
  const k2 = key('k2');

  it('round-trips, with a fresh nonce per write and no plaintext in the envelope', () => {
    const cipher = new TokenCipher([k1]);
    const a = cipher.seal('aep-prod', 'secret-token-value');
    const b = cipher.seal('aep-prod', 'secret-token-value');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-token-value');
    expect(a.startsWith('v1.k1.')).toBe(true);
    expect(cipher.open('aep-prod', a)).toBe('secret-token-value');
  });

  it('binds the credential id: a record moved to another credential does not open', () => {
    const cipher = new TokenCipher([k1]);
    expect(cipher.open('other', cipher.seal('aep-prod', 'x'))).toBeUndefined();
  });

  it('rotates by prepending: new writes use the first key, old records still open', () => {
    const old = new TokenCipher([k1]).seal('c', 'old');
    const rotated = new TokenCipher([k2, k1]);
    expect(rotated.open('c', old)).toBe('old');
    expect(rotated.seal('c', 'new').startsWith('v1.k2.')).toBe(true);
    expect(new TokenCipher([k2]).open('c', old)).toBeUndefined();
  });

  it.each(['', 'v1.k1', 'v2.k1.a.b', 'v1.k1.AAAA.BBBB', 'v1.k1.a.b.c'])('refuses malformed envelope %p', (envelope) => {
    expect(new TokenCipher([k1]).open('c', envelope)).toBeUndefined();
  });

  it('detects tampering', () => {
    const cipher = new TokenCipher([k1]);
    const sealed = cipher.seal('c', 'value');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64url');
    expect(cipher.open('c', parts.join('.'))).toBeUndefined();
  });
});
