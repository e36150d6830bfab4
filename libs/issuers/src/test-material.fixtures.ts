// Test-only helpers for the specs of this lib; not exported from index.ts.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type SecretMaterial, parseSecretMaterial } from '@broker/secrets';

/** A self-signed certificate valid from 2020-01-01 to 2021-01-01 (public material only). */
export const CERTIFICATE_2021 = `-----BEGIN CERTIFICATE-----
MIICrDCCAZQCAQEwDQYJKoZIhvcNAQELBQAwHDEaMBgGA1UEAwwRdG9rZW4tYnJv
a2VyIHRlc3QwHhcNMjAwMTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjAcMRowGAYD
VQQDDBF0b2tlbi1icm9rZXIgdGVzdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCC
AQoCggEBAKjkjxB8AirlAqhqJxNAR81dgPKXw9Em48WEalqvlKvbiYyJTOYL2CPf
rnvkhNdolSIpPhpoenL0M6d5Mja3raFE6JJWEpSZlr7NQlDkHe4vvk8SmC5CKSIs
CyPKtoJKf1hBAadRV296xiTD/SGFGpLRqkGniNEA+9nCxc5WF41Pm8/vN8A3YMBo
bLXpZOP+Wj/s+05KAQmpe5qeSvbquiqzg4221WcPRFsFjZVN88DAyuE2Ne0buR/U
96IAk9AH7ILy8mZKp5TBg/5hc5LEBU1Q9PT5zZa0cU2wOmrO0uYucv5ItKIIv5Il
I/wlUX6KF97uPSMwZG7UwJas/ZLU59cCAwEAATANBgkqhkiG9w0BAQsFAAOCAQEA
C48nEm4TDvf4MNu+m5eBpnitjxPjO/Ua/vNz0Kphqqk/wXo7qD4lLvoL9KVd/L/a
2OhN0LuTT/TrfHmTPZKpsrlG+5p36iWSUGA8ZFv63w2vkjk6pwZ3IDecgGLDHVhN
sduzmzsjep9H1vh4FJmuyFYnZ6m9Ye8rOkG1iZSTDNV0c1GncHbBY4riQzXLCO5S
pvhsUfHC9ABT+/G60LYQ+Pj1vCf8RQDPJot7k+6lzQMmJFcMVjlPF96HMPbC2uj3
gd9iJRyX5RzmA5nis9BRkkfyCJznPDT0TAIs5RkIhBTgYIty8V6oUeF9xxBGTiAF
FTl0zkg/FMLOwdmLKhR3ow==
-----END CERTIFICATE-----
`;
export const CERTIFICATE_2021_EXPIRY = new Date('2021-01-01T00:00:00Z');

export interface TestKeyPair {
  readonly privatePem: string;
  readonly publicKey: KeyObject;
}

/** A fresh key pair, the private half as PKCS#8 PEM (what Adobe's console hands out). */
export function rsaKeyPair(modulusLength = 2048): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey };
}

export function ecKeyPair(namedCurve = 'P-256'): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey };
}

/** Secret material as the secrets lib would parse it from a JSON secret. */
export function materialOf(fields: Record<string, string>): SecretMaterial {
  const material = parseSecretMaterial(JSON.stringify(fields), { fetchedAt: Date.now() });
  if (!material) throw new Error('test material holds neither client_secret nor private_key');
  return material;
}
