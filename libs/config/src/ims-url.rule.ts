import { MESSAGES } from './config.constants';
import type { Rule } from './field.rules';

// Plain http is tolerated only where the traffic cannot leave the machine (local emulators in tests).
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The rule every upstream URL shares: https (http only on loopback), no user name or password. */
export function checkUpstreamUrl(value: unknown, notUrl: string): { url: URL } | { problem: string } {
  if (typeof value !== 'string' || !URL.canParse(value)) return { problem: notUrl };
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return { problem: MESSAGES.imsUrlHttps };
  }
  if (url.username !== '' || url.password !== '') return { problem: MESSAGES.imsUrlUserinfo };
  return { url };
}

/** The problem with an IMS base URL, or its normalised origin (no trailing slash) when it is fine. */
export function checkImsUrl(value: unknown): { origin: string } | { problem: string } {
  const checked = checkUpstreamUrl(value, MESSAGES.imsUrlNotString);
  if ('problem' in checked) return checked;
  const { url } = checked;
  // `search`/`hash` are empty for a bare `?`/`#`, so look at the text as well.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value as string)) {
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

/** A rule for a full endpoint URL under the same rule as `imsUrl` (https, or http on loopback): a path, maybe a query, no fragment. */
function endpointUrl(notStringMessage: string): Rule<string> {
  return (value, path, issues) => {
    const checked = checkUpstreamUrl(value, notStringMessage);
    if ('problem' in checked) {
      issues.add(path, checked.problem);
      return undefined;
    }
    if (checked.url.hash !== '' || (value as string).includes('#')) {
      issues.add(path, MESSAGES.tokenUrlFragment);
      return undefined;
    }
    return checked.url.href;
  };
}

/** Rule: an OAuth 2.0 token endpoint URL. */
export const tokenUrl: Rule<string> = endpointUrl(MESSAGES.tokenUrlNotString);

/** Rule: a JWKS URL of a caller-token issuer. */
export const jwksUri: Rule<string> = endpointUrl(MESSAGES.jwksUriNotString);
