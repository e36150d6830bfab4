import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TokenEncryptionKey } from '@broker/config';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * AES-256-GCM for token records at rest in Redis. A fresh random nonce per write; the credential id is
 * bound as associated data, so a record copied under another credential's key does not decrypt. The first
 * key of the ring encrypts; every key decrypts, so keys rotate by prepending a new one.
 * Envelope: `v1.<keyId>.<nonce b64url>.<ciphertext||tag b64url>`.
 */
export class TokenCipher {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: TokenEncryptionKey;

  constructor(keys: readonly TokenEncryptionKey[]) {
    const [first] = keys;
    if (!first) throw new Error('TokenCipher needs at least one key');
    this.current = first;
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
  }

  /** Encrypts `plaintext` for `credentialId`. */
  seal(credentialId: string, plaintext: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(credentialId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, this.current.id, nonce.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Decrypts an envelope sealed for `credentialId`; undefined when the key is unknown or it was tampered with. */
  open(credentialId: string, envelope: string): string | undefined {
    const [format, keyId, nonce, body, extra] = envelope.split('.');
    if (format !== FORMAT || keyId === undefined || nonce === undefined || body === undefined || extra !== undefined) return undefined;
    const key = this.byId.get(keyId);
    if (!key) return undefined;
    try {
      const sealed = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(credentialId, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
