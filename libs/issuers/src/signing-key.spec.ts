import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { CredentialMaterialError } from './credential-material.error';
import { requireClientSecret, signingKeyOf, signJwt } from './signing-key';
import { ecKeyPair, materialOf, rsaKeyPair } from '../../../test/fixtures/test-material.fixtures';

function errorOf(run: () => unknown): CredentialMaterialError {
  try {
    run();
  } catch (error) {
    if (error instanceof CredentialMaterialError) return error;
    throw error;
  }
  throw new Error('expected a CredentialMaterialError');
}

describe('signingKeyOf', () => {
  it('signs RS256 with an RSA key (PKCS#8 or PKCS#1 PEM)', async () => {
    const { privatePem, publicKey } = rsaKeyPair();
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(signingKeyOf('c', materialOf({ private_key: pkcs1 })).alg).toBe('RS256');

    const signing = signingKeyOf('c', materialOf({ private_key: privatePem }));
    const jwt = await signJwt('c', signing, { sub: 'x' }, { kid: 'k1' });
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { algorithms: ['RS256'] });
    expect(payload.sub).toBe('x');
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
  });

  it('signs ES256 with an EC P-256 key', async () => {
    const { privatePem, publicKey } = ecKeyPair();
    const signing = signingKeyOf('c', materialOf({ private_key: privatePem }));
    expect(signing.alg).toBe('ES256');
    await expect(jwtVerify(await signJwt('c', signing, {}), publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined();
  });

  it.each([
    ['no private_key', { client_secret: 's3cret-value' }, 'has no private_key'],
    ['garbage', { private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC' }, 'does not parse'],
    ['a public key', { private_key: rsaPublicPem() }, 'does not parse'],
    ['an EC P-384 key', { private_key: ecKeyPair('P-384').privatePem }, 'unsupported type'],
    ['an Ed25519 key', { private_key: ed25519Pem() }, 'unsupported type'],
  ])('refuses %s with a CredentialMaterialError that quotes nothing of it', (_label, fields, reason) => {
    const error = errorOf(() => signingKeyOf('graph', materialOf(fields)));
    expect(error.code).toBe('credential_material_invalid');
    expect(error.status).toBe(502);
    expect(error.message).toContain("credential 'graph'");
    expect(error.message).toContain(reason);
    for (const value of Object.values(fields)) expect(error.message).not.toContain(value.length > 60 ? value.slice(30, 60) : value);
    expect(error.cause).toBeUndefined();
  });

  it('turns a key jose refuses (RSA below 2048 bits) into a CredentialMaterialError', async () => {
    const signing = signingKeyOf('c', materialOf({ private_key: rsaKeyPair(1024).privatePem }));
    await expect(signJwt('c', signing, {})).rejects.toBeInstanceOf(CredentialMaterialError);
  });
});

describe('requireClientSecret', () => {
  it('returns the client secret, and refuses material that has only a private key', () => {
    expect(requireClientSecret('c', materialOf({ client_secret: 's3' }))).toBe('s3');
    const error = errorOf(() => requireClientSecret('c', materialOf({ private_key: rsaKeyPair().privatePem })));
    expect(error.message).toContain('has no client_secret');
  });
});

function rsaPublicPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
}

function ed25519Pem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}
