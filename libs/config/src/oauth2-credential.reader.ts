import {
  CLIENT_ID_PATTERN,
  HEADER_PLACEHOLDERS,
  ID_PATTERN,
  MESSAGES,
  OAUTH2_CLIENT_AUTH_METHODS,
  OAUTH_SCOPE_PATTERN,
  PARAM_NAME_PATTERN,
  PARAM_VALUE_PATTERN,
  RESERVED_OAUTH2_PARAMS,
  TOKEN_LIFETIME_BOUNDS,
} from './config.constants';
import type { OAuth2Credential } from './broker-config.interface';
import { childPath, describeKind } from './config.issues';
import { duration, listOf, matching, oneOf, type Rule } from './field.rules';
import { headerTemplates } from './header-templates.rule';
import { tokenUrl } from './ims-url.rule';
import { isMapping, looksLikeClearTextSecret, type Variant } from './mapping.reader';
import { optionalProxy } from './proxy.reader';
import { secretRef, type ReadContext } from './secret-ref.reader';

/** Rule for `params:`: extra string form parameters; the ones the broker sets itself are refused. */
const formParams: Rule<Readonly<Record<string, string>>> = (value, path, issues) => {
  if (!isMapping(value)) {
    issues.add(path, MESSAGES.notMapping(describeKind(value)));
    return undefined;
  }
  const before = issues.count;
  const entries: [string, string][] = [];
  for (const [name, raw] of Object.entries(value)) {
    const at = childPath(path, name);
    if (!PARAM_NAME_PATTERN.test(name)) issues.add(at, MESSAGES.paramName);
    else if (RESERVED_OAUTH2_PARAMS.has(name)) issues.add(at, MESSAGES.paramReserved(name));
    else if (looksLikeClearTextSecret(name)) issues.add(at, MESSAGES.clearTextSecret);
    else if (typeof raw !== 'string' || !PARAM_VALUE_PATTERN.test(raw)) issues.add(at, MESSAGES.paramValue);
    else entries.push([name, raw]);
  }
  return issues.count === before ? Object.fromEntries(entries) : undefined;
};

/** Rule for `defaultLifetime:`, in whole seconds within the issuers' sanity bounds. */
const lifetimeSeconds: Rule<number> = (value, path, issues) => {
  const ms = duration(value, path, issues);
  if (ms === undefined) return undefined;
  const seconds = Math.floor(ms / 1000);
  if (seconds >= TOKEN_LIFETIME_BOUNDS.minSeconds && seconds <= TOKEN_LIFETIME_BOUNDS.maxSeconds) return seconds;
  issues.add(path, MESSAGES.defaultLifetime);
  return undefined;
};

/** `provider: oauth2`: any RFC 6749 token endpoint, `client_credentials` grant. */
export const OAUTH2_CREDENTIAL: Variant<OAuth2Credential, ReadContext> = {
  keys: ['id', 'tokenUrl', 'clientId', 'clientAuth', 'scopes', 'params', 'defaultLifetime', 'secret', 'headers', 'proxy'],
  read(r, context) {
    const id = r.required('id', matching(ID_PATTERN, MESSAGES.id));
    const url = r.required('tokenUrl', tokenUrl);
    const clientId = r.required('clientId', matching(CLIENT_ID_PATTERN, MESSAGES.clientId));
    const clientAuth = r.optional('clientAuth', oneOf(OAUTH2_CLIENT_AUTH_METHODS), 'client_secret_basic');
    const scopes = r.optional('scopes', listOf(matching(OAUTH_SCOPE_PATTERN, MESSAGES.oauthScope), { unique: true }), []);
    const params = r.optional('params', formParams, {});
    const defaultLifetimeSeconds = r.optional('defaultLifetime', lifetimeSeconds, undefined);
    const secret = r.required('secret', secretRef(context));
    const headers = r.optional('headers', headerTemplates(HEADER_PLACEHOLDERS.oauth2), undefined);
    const proxy = optionalProxy(r);
    const invalidOptional =
      proxy === undefined ||
      (r.raw('defaultLifetime') !== undefined && defaultLifetimeSeconds === undefined) ||
      (r.raw('headers') !== undefined && headers === undefined);
    if (
      invalidOptional ||
      id === undefined ||
      url === undefined ||
      clientId === undefined ||
      clientAuth === undefined ||
      scopes === undefined ||
      params === undefined ||
      secret === undefined
    ) {
      return undefined;
    }
    return {
      id,
      provider: 'oauth2',
      tokenUrl: url,
      clientId,
      clientAuth,
      scopes,
      params,
      ...(defaultLifetimeSeconds === undefined ? {} : { defaultLifetimeSeconds }),
      secret,
      ...(headers ? { headers } : {}),
      ...(proxy ? { proxy } : {}),
    };
  },
};
