import { inspect } from 'node:util';
import { BASE64_PATTERN, ENCRYPTION_KEY_BYTES, KEY_ID_PATTERN, MESSAGES } from '../config.constants';
import { childPath, type IssueCollector } from '../errors/config.issues';
import type { TokenEncryptionKey } from './broker-environment.interface';

const VARIABLE = 'TOKEN_ENCRYPTION_KEYS';

/** Parses `<keyId>:<base64 of 32 bytes>,...`; messages name key ids at most, never key material. */
export function parseEncryptionKeys(text: string, issues: IssueCollector): TokenEncryptionKey[] | undefined {
  const before = issues.count;
  const keys: TokenEncryptionKey[] = [];
  const seenIds = new Set<string>();
  text.split(',').forEach((entry, index) => {
    const path = childPath(VARIABLE, index);
    const problem = checkEntry(entry.trim(), seenIds);
    if (typeof problem === 'string') issues.add(path, problem);
    else keys.push(problem);
  });
  return issues.count === before ? keys : undefined;
}

/** The parsed key, or the message saying what is wrong with the entry. */
function checkEntry(entry: string, seenIds: Set<string>): TokenEncryptionKey | string {
  const colon = entry.indexOf(':');
  if (colon < 0) return MESSAGES.keyEntry;
  const id = entry.slice(0, colon);
  const encoded = entry.slice(colon + 1);
  // An invalid id is not echoed: with the id forgotten, the key itself would sit in its place.
  if (!KEY_ID_PATTERN.test(id)) return MESSAGES.keyId;
  if (seenIds.has(id)) return MESSAGES.duplicateKeyId(id);
  seenIds.add(id);
  if (encoded.length % 4 !== 0 || !BASE64_PATTERN.test(encoded)) return MESSAGES.keyBase64(id);
  const decoded = Buffer.from(encoded, 'base64');
  if (decoded.length !== ENCRYPTION_KEY_BYTES) return MESSAGES.keyLength(id, decoded.length);
  return redacted(id, decoded);
}

function redacted(id: string, decoded: Buffer): TokenEncryptionKey {
  // Buffer.from(string) may hand out a slice of the shared pool; the key gets memory of its own.
  const key = Buffer.alloc(ENCRYPTION_KEY_BYTES);
  decoded.copy(key);
  decoded.fill(0);
  const safeView = () => ({ id, key: '[redacted]' });
  const entry = { id, key };
  // Non-enumerable, so equality checks and spreads see a plain { id, key }, while loggers never print the key.
  Object.defineProperty(entry, 'toJSON', { value: safeView });
  Object.defineProperty(entry, inspect.custom, { value: safeView });
  return entry;
}
