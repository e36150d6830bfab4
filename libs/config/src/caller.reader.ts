import { ALL_CREDENTIALS, ID_PATTERN, MESSAGES, SHA256_HEX_PATTERN } from './config.constants';
import type { CallerConfig } from './broker-config.interface';
import { listOf, matching, type Rule } from './field.rules';
import { MappingReader } from './mapping.reader';

const CALLER_KEYS = ['id', 'apiKeySha256', 'credentials'] as const;

const credentialRef: Rule<string> = (value, path, issues) =>
  value === ALL_CREDENTIALS ? value : matching(ID_PATTERN, MESSAGES.credentialRef)(value, path, issues);

/** Rule for one entry of `callers:`. Whether its credential ids exist is checked by the cross-reference rules. */
export const caller: Rule<CallerConfig> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(CALLER_KEYS);
  const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
  const hash = r.required('apiKeySha256', matching(SHA256_HEX_PATTERN, MESSAGES.apiKeySha256));
  const credentials = r.required('credentials', listOf(credentialRef, { nonEmpty: true, unique: true }));
  if (id === undefined || hash === undefined || credentials === undefined) return undefined;
  return { id, apiKeySha256: hash.toLowerCase(), credentials };
};
