import { CLEAR_TEXT_SECRET_KEYS } from '../config.constants';

/** True for key names that suggest a secret was pasted into the file instead of referenced. */
export function looksLikeClearTextSecret(key: string): boolean {
  return CLEAR_TEXT_SECRET_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''));
}
