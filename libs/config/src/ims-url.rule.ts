import { MESSAGES } from './config.constants';
import type { Rule } from './field.rules';

// Plain http is tolerated only where the traffic cannot leave the machine (local emulators in tests).
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The problem with an IMS base URL, or its normalised origin (no trailing slash) when it is fine. */
export function checkImsUrl(value: unknown): { origin: string } | { problem: string } {
  if (typeof value !== 'string' || !URL.canParse(value)) return { problem: MESSAGES.imsUrlNotString };
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return { problem: MESSAGES.imsUrlHttps };
  }
  if (url.username !== '' || url.password !== '') return { problem: MESSAGES.imsUrlUserinfo };
  // `search`/`hash` are empty for a bare `?`/`#`, so look at the text as well.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    return { problem: MESSAGES.imsUrlPath };
  }
  return { origin: url.origin };
}

/** Rule: an IMS base URL (https, or http on loopback), returned as its origin. */
export const imsUrl: Rule<string> = (value, path, issues) => {
  const result = checkImsUrl(value);
  if ('origin' in result) return result.origin;
  issues.add(path, result.problem);
  return undefined;
};
