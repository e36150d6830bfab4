import { z } from 'zod';
import { CREDENTIAL_GLOB_PATTERN, MESSAGES } from '../config.constants';
import { duration, errorFor, listOf, mapping, text } from './field.schemas';
import { checkUpstreamUrl } from './upstream-url.schemas';

/** Defaults and bounds of `credentials[].proxy` and `tokens.rejectionCooldown`. */
export const PROXY_CONFIG = Object.freeze({
  defaultTimeout: '30s',
  maxTimeoutMs: 3_600_000,
  defaultMaxRequestBody: '10MiB',
  maxRequestBodyBytes: 64 * 1024 ** 3,
  defaultRejectionCooldown: '30s',
  minRejectionCooldownMs: 1_000,
  maxRejectionCooldownMs: 3_600_000,
  maxUpstreams: 64,
});

/** Upstream names become a path segment of `/v1/proxy/{credentialId}/{upstream}/…` and a metric label. */
export const UPSTREAM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
const BYTE_SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const BYTE_UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

export const PROXY_MESSAGES = Object.freeze({
  upstreamName: 'upstream names are 1-32 characters of a-z 0-9 -',
  upstreamUrlNotString: 'must be a base URL such as https://platform.adobe.io',
  upstreamUrlQuery: 'must not have a query or fragment (the path is appended to it)',
  noUpstreams: 'must name at least one upstream',
  tooManyUpstreams: `must name at most ${PROXY_CONFIG.maxUpstreams} upstreams`,
  byteSize: 'must be a size in bytes, or with KiB, MiB or GiB (e.g. 10MiB), at most 64GiB',
  timeout: 'must be a duration from 1ms to 1h',
  rejectionCooldown: 'must be a duration from 1s to 1h',
});

/** Bytes of a size such as `65536`, `64KiB`, `10MiB`, `1GiB`, or undefined when it is not one. */
export function tryParseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = BYTE_SIZE.exec(value);
  if (match === null) return undefined;
  const bytes = Number(match[1]) * BYTE_UNITS[(match[2] ?? 'B') as keyof typeof BYTE_UNITS];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A byte size (a whole number, or text with KiB/MiB/GiB), in bytes. */
const byteSize = z
  .union([z.string(), z.number()], { error: errorFor(PROXY_MESSAGES.byteSize) })
  .transform((value, ctx) => {
    const bytes = tryParseByteSize(value);
    if (bytes !== undefined && bytes <= PROXY_CONFIG.maxRequestBodyBytes) return bytes;
    ctx.issues.push({ code: 'custom', message: PROXY_MESSAGES.byteSize, input: value });
    return z.NEVER;
  })
  .meta({ description: 'bytes, or with KiB, MiB or GiB (e.g. 10MiB)' });

/** A duration within [min, max] ms. */
function durationBetween(min: number, max: number, message: string) {
  return duration.refine((ms) => ms >= min && ms <= max, { error: message });
}

/** An upstream base URL under the `imsUrl` rule; a path is allowed (the proxied path is appended to it). */
const upstreamBaseUrl = z
  .string({ error: errorFor(PROXY_MESSAGES.upstreamUrlNotString) })
  .transform((value, ctx) => {
    const checked = checkUpstreamUrl(value, PROXY_MESSAGES.upstreamUrlNotString);
    const problem =
      'problem' in checked
        ? checked.problem
        : checked.url.search !== '' || checked.url.hash !== '' || /[?#]/.test(value)
          ? PROXY_MESSAGES.upstreamUrlQuery
          : undefined;
    if (problem !== undefined || 'problem' in checked) {
      ctx.issues.push({ code: 'custom', message: problem ?? PROXY_MESSAGES.upstreamUrlNotString, input: value });
      return z.NEVER;
    }
    // Stored without a trailing slash: the proxy appends `/` and the caller's path.
    return `${checked.url.origin}${checked.url.pathname.replace(/\/+$/, '')}`;
  })
  .meta({ format: 'uri', description: 'base URL; https (plain http only for 127.0.0.1, localhost and [::1])' });

const upstreams = z
  .record(text(UPSTREAM_NAME_PATTERN, PROXY_MESSAGES.upstreamName), upstreamBaseUrl, { error: errorFor(MESSAGES.notMapping('something else')) })
  .refine((map) => Object.keys(map).length > 0, { error: PROXY_MESSAGES.noUpstreams })
  .refine((map) => Object.keys(map).length <= PROXY_CONFIG.maxUpstreams, { error: PROXY_MESSAGES.tooManyUpstreams })
  .meta({ description: 'upstream name -> base URL: the only places the credential token is sent to' });

/** `credentials[].proxy`: where callers may send calls with this credential's token, and the limits. */
export const proxySettings = mapping({
  upstreams,
  timeout: durationBetween(1, PROXY_CONFIG.maxTimeoutMs, PROXY_MESSAGES.timeout)
    .prefault(PROXY_CONFIG.defaultTimeout)
    .meta({ description: 'until the upstream response headers, and the longest pause between body chunks' }),
  maxRequestBody: byteSize.prefault(PROXY_CONFIG.defaultMaxRequestBody),
})
  .transform(({ upstreams: targets, timeout, maxRequestBody }) => ({ upstreams: targets, timeoutMs: timeout, maxRequestBodyBytes: maxRequestBody }))
  .meta({ description: 'calls through the broker with this credential: ANY /v1/proxy/{credentialId}/{upstream}/{path}' });

/** `callers[].proxy`: credential ids or globs the caller may call upstreams with through the broker. */
export const proxyGrants = listOf(text(CREDENTIAL_GLOB_PATTERN, MESSAGES.credentialGrant), { unique: true }).meta({
  description: "credentials this caller may use through the proxy, never seeing their token: ids, patterns such as aep-*, or '*'",
});

/** `tokens.rejectionCooldown`. */
export const rejectionCooldown = durationBetween(PROXY_CONFIG.minRejectionCooldownMs, PROXY_CONFIG.maxRejectionCooldownMs, PROXY_MESSAGES.rejectionCooldown);
