import { z } from 'zod';
import {
  HEADER_PLACEHOLDERS,
  MESSAGES,
  OAUTH2_CLIENT_AUTH_METHODS,
  OAUTH_SCOPE_PATTERN,
  PARAM_NAME_PATTERN,
  PARAM_VALUE_PATTERN,
  RESERVED_OAUTH2_PARAMS,
  TOKEN_LIFETIME_BOUNDS,
} from '../config.constants';
import { describeKind } from '../errors/config.issues';
import { looksLikeClearTextSecret } from '../errors/clear-text-secret';
import { clientId, credentialId } from './adobe-identity.schema';
import { duration, errorFor, listOf, mapping, oneOf, text } from './field.schemas';
import { proxySettings } from './proxy.schema';
import { headerTemplates } from './header-templates.schema';
import { secretRef } from './secret-ref.schema';
import { tokenUrl } from './upstream-url.schemas';

const paramName = text(PARAM_NAME_PATTERN, MESSAGES.paramName)
  .refine((name) => !RESERVED_OAUTH2_PARAMS.has(name), { error: (issue) => MESSAGES.paramReserved(String(issue.input)), abort: true })
  .refine((name) => !looksLikeClearTextSecret(name), { error: MESSAGES.clearTextSecret });

/** `params:`: extra string form parameters; the ones the broker sets itself are refused. */
const formParams = z.record(paramName, text(PARAM_VALUE_PATTERN, MESSAGES.paramValue), {
  error: errorFor((input) => MESSAGES.notMapping(describeKind(input))),
});

/** `defaultLifetime:`, in whole seconds within the issuers' sanity bounds. */
const lifetimeSeconds = duration.transform((ms, ctx) => {
  const seconds = Math.floor(ms / 1000);
  if (seconds >= TOKEN_LIFETIME_BOUNDS.minSeconds && seconds <= TOKEN_LIFETIME_BOUNDS.maxSeconds) return seconds;
  ctx.issues.push({ code: 'custom', message: MESSAGES.defaultLifetime, input: ms });
  return z.NEVER;
});

/** `provider: oauth2`: any RFC 6749 token endpoint, `client_credentials` grant. */
export const oauth2Credential = mapping({
  provider: z.literal('oauth2'),
  id: credentialId,
  tokenUrl,
  clientId,
  clientAuth: oneOf(OAUTH2_CLIENT_AUTH_METHODS).prefault('client_secret_basic'),
  scopes: listOf(text(OAUTH_SCOPE_PATTERN, MESSAGES.oauthScope), { unique: true }).prefault([]),
  params: formParams.prefault({}).meta({ description: 'extra form parameters such as audience or resource' }),
  defaultLifetime: lifetimeSeconds.optional().meta({ description: 'assumed when the response has no expires_in (30s to 7d)' }),
  secret: secretRef.meta({ description: 'the client secret, or for private_key_jwt JSON with private_key (PEM) and optional kid, certificate' }),
  headers: headerTemplates(HEADER_PLACEHOLDERS.oauth2).optional(),
  proxy: proxySettings.optional(),
}).transform(({ defaultLifetime, headers, ...credential }) => ({
  ...credential,
  ...(defaultLifetime !== undefined && { defaultLifetimeSeconds: defaultLifetime }),
  ...(headers !== undefined && { headers }),
}));
