// Test-only helpers for the specs of this lib; not exported from index.ts.
import { stringify } from 'yaml';
import type { BrokerConfig, CredentialConfig } from './broker-config.interface';
import { ConfigValidationError, type ConfigIssue } from './config-validation.error';
import { parseBrokerConfig } from './config.loader';

export type Doc = Record<string, unknown>;

export const DEMO_KEY_SHA256 = 'c48a01f49fd0f2cc404bc3cbbc80e91457a3d41bb429a695243de4c61794155c';
export const OTHER_KEY_SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** A valid adobe-ims credential entry; an override of `undefined` removes the key. */
export function credentialDoc(overrides: Doc = {}): Doc {
  return {
    id: 'aep-prod',
    provider: 'adobe-ims',
    clientId: '0123abcd',
    orgId: '53A1B2C3@AdobeOrg',
    scopes: ['openid', 'AdobeID', 'read_organizations'],
    secret: { source: 'aws', secretId: 'prod/adobe/aep' },
    ...overrides,
  };
}

/** A valid caller entry; an override of `undefined` removes the key. */
export function callerDoc(overrides: Doc = {}): Doc {
  return { id: 'billing-svc', apiKeySha256: DEMO_KEY_SHA256, credentials: ['aep-prod'], ...overrides };
}

/** A valid config document with one credential and one caller, plus top-level overrides. */
export function configDoc(overrides: Doc = {}): Doc {
  return { credentials: [credentialDoc()], callers: [callerDoc()], ...overrides };
}

/** Parses a document written out as YAML, the way the broker would read it. */
export function parseDoc(doc: unknown, source = '/etc/broker/broker.yaml'): BrokerConfig {
  return parseBrokerConfig(stringify(doc), source);
}

/** The error thrown by `run`; fails the test if nothing or something else is thrown. */
export function validationErrorOf(run: () => unknown): ConfigValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigValidationError, but nothing was thrown');
}

/** The issues reported for a document. */
export function issuesOf(doc: unknown): readonly ConfigIssue[] {
  return validationErrorOf(() => parseDoc(doc)).issues;
}

/** Credential `index` of a parsed config, narrowed to its provider; fails the test if it is another one. */
export function credentialOf<P extends CredentialConfig['provider']>(
  config: BrokerConfig,
  provider: P,
  index = 0,
): Extract<CredentialConfig, { provider: P }> {
  const found = config.credentials[index];
  if (found?.provider !== provider) throw new Error(`credentials[${index}] is not a ${provider} credential`);
  return found as Extract<CredentialConfig, { provider: P }>;
}
