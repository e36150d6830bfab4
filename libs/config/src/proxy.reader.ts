import { CREDENTIAL_GLOB_PATTERN, MESSAGES } from './config.constants';
import type { ProxySettings } from './broker-config.interface';
import { duration, listOf, matching, type Rule } from './field.rules';
import { checkUpstreamUrl } from './ims-url.rule';
import { MappingReader } from './mapping.reader';
import { parseDuration } from './duration.parser';

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

export const UPSTREAM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
const BYTE_SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const BYTE_UNITS = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

export const PROXY_MESSAGES = Object.freeze({
  upstreamName: 'upstream names are 1-32 characters of a-z 0-9 -',
  upstreamUrlNotString: 'must be a base URL such as https://platform.adobe.io',
  upstreamUrlQuery: 'must not have a query or fragment (the path is appended to it)',
  noUpstreams: 'must name at least one upstream',
  tooManyUpstreams: `must name at most ${PROXY_CONFIG.maxUpstreams} upstreams`,
  byteSize: `must be a size in bytes, or with KiB, MiB or GiB (e.g. 10MiB), at most 64GiB`,
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

const byteSize: Rule<number> = (value, path, issues) => {
  const bytes = tryParseByteSize(value);
  if (bytes !== undefined && bytes <= PROXY_CONFIG.maxRequestBodyBytes) return bytes;
  issues.add(path, PROXY_MESSAGES.byteSize);
  return undefined;
};

/** Rule: a duration within [min, max] ms, with `message` when it is outside. */
export function durationBetween(min: number, max: number, message: string): Rule<number> {
  return (value, path, issues) => {
    const ms = duration(value, path, issues);
    if (ms === undefined) return undefined;
    if (ms >= min && ms <= max) return ms;
    issues.add(path, message);
    return undefined;
  };
}

/** An upstream base URL under the `imsUrl` rule; a path is allowed (the proxied path is appended to it). */
const upstreamUrl: Rule<string> = (value, path, issues) => {
  const checked = checkUpstreamUrl(value, PROXY_MESSAGES.upstreamUrlNotString);
  if ('problem' in checked) {
    issues.add(path, checked.problem);
    return undefined;
  }
  if (checked.url.search !== '' || checked.url.hash !== '' || /[?#]/.test(value as string)) {
    issues.add(path, PROXY_MESSAGES.upstreamUrlQuery);
    return undefined;
  }
  // Stored without a trailing slash: the forwarder appends `/` and the caller's path.
  return `${checked.url.origin}${checked.url.pathname.replace(/\/+$/, '')}`;
};

const upstreams: Rule<Readonly<Record<string, string>>> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  const names = r.keys();
  if (names.length === 0) {
    issues.add(path, PROXY_MESSAGES.noUpstreams);
    return undefined;
  }
  if (names.length > PROXY_CONFIG.maxUpstreams) issues.add(path, PROXY_MESSAGES.tooManyUpstreams);
  const before = issues.count;
  const result: Record<string, string> = {};
  for (const name of names) {
    if (!UPSTREAM_NAME_PATTERN.test(name)) {
      issues.add(r.pathOf(name), PROXY_MESSAGES.upstreamName);
      continue;
    }
    const url = r.required(name, upstreamUrl);
    if (url !== undefined) result[name] = url;
  }
  return issues.count === before ? result : undefined;
};

/** Rule for `credentials[].proxy`: which upstreams the credential's token may be sent to, and the limits. */
export const proxySettings: Rule<ProxySettings> = (value, path, issues) => {
  const r = MappingReader.open(value, path, issues);
  if (r === undefined) return undefined;
  r.rejectUnknownKeys(['upstreams', 'timeout', 'maxRequestBody']);
  const targets = r.required('upstreams', upstreams);
  const timeoutMs = r.optional('timeout', durationBetween(1, PROXY_CONFIG.maxTimeoutMs, PROXY_MESSAGES.timeout), parseDuration(PROXY_CONFIG.defaultTimeout));
  const maxRequestBodyBytes = r.optional('maxRequestBody', byteSize, tryParseByteSize(PROXY_CONFIG.defaultMaxRequestBody) as number);
  if (targets === undefined || timeoutMs === undefined || maxRequestBodyBytes === undefined) return undefined;
  return { upstreams: targets, timeoutMs, maxRequestBodyBytes };
};

/** Reads the optional `proxy:` of a credential entry; `null` when absent, undefined when invalid. */
export function optionalProxy(r: MappingReader): ProxySettings | null | undefined {
  return r.raw('proxy') === undefined ? null : r.required('proxy', proxySettings);
}

/** Rule for `callers[].proxy`: credential ids or globs the caller may call upstreams through. */
export const proxyGrants: Rule<string[]> = listOf(matching(CREDENTIAL_GLOB_PATTERN, MESSAGES.credentialGrant), { unique: true });

/** Rule for `tokens.rejectionCooldown`. */
export const rejectionCooldown: Rule<number> = durationBetween(
  PROXY_CONFIG.minRejectionCooldownMs,
  PROXY_CONFIG.maxRejectionCooldownMs,
  PROXY_MESSAGES.rejectionCooldown,
);
