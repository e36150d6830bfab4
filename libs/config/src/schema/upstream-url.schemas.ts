import { z } from 'zod';
import { MESSAGES } from '../config.constants';
import { errorFor } from './field.schemas';

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

/** The problem with a full endpoint URL (a path, maybe a query, no fragment), or its normalised form. */
function checkEndpointUrl(value: string, notUrl: string): { href: string } | { problem: string } {
  const checked = checkUpstreamUrl(value, notUrl);
  if ('problem' in checked) return checked;
  if (checked.url.hash !== '' || value.includes('#')) return { problem: MESSAGES.tokenUrlFragment };
  return { href: checked.url.href };
}

/** A URL string checked by `check`, which returns the normalised URL or the problem to report. */
function upstreamUrl(notUrl: string, description: string, check: (value: string) => string | { problem: string }) {
  return z
    .string({ error: errorFor(notUrl) })
    .transform((value, ctx) => {
      const result = check(value);
      if (typeof result === 'string') return result;
      ctx.issues.push({ code: 'custom', message: result.problem, input: value });
      return z.NEVER;
    })
    .meta({ format: 'uri', description: `${description}; https (plain http only for 127.0.0.1, localhost and [::1])` });
}

/** An origin (no path) under the https-or-loopback rule, such as `imsUrl` and `consoleUrl`. */
function originUrl(notUrl: string, description: string) {
  return upstreamUrl(notUrl, description, (value) => {
    const result = checkImsUrl(value);
    if ('origin' in result) return result.origin;
    return { problem: result.problem === MESSAGES.imsUrlNotString ? notUrl : result.problem };
  });
}

/** An endpoint URL under the same rule, such as `tokenUrl` and `jwksUri`. */
function endpointUrl(notUrl: string, description: string) {
  return upstreamUrl(notUrl, description, (value) => {
    const result = checkEndpointUrl(value, notUrl);
    return 'href' in result ? result.href : result;
  });
}

/** An IMS base URL, returned as its origin. */
export const imsUrl = originUrl(MESSAGES.imsUrlNotString, 'origin of the Adobe IMS service');

/** The Adobe I/O Management API origin. */
export const consoleUrl = originUrl(MESSAGES.consoleUrlNotString, 'origin of the Adobe I/O Management API');

/** An OAuth 2.0 token endpoint URL. */
export const tokenUrl = endpointUrl(MESSAGES.tokenUrlNotString, 'the token endpoint');

/** A JWKS URL of a caller-token issuer. */
export const jwksUri = endpointUrl(MESSAGES.jwksUriNotString, 'where the issuer publishes its public keys (JWKS)');
