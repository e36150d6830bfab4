import type { CredentialConfig, HeaderTemplates } from '@broker/config';

const BEARER = 'Bearer {access_token}';

/** What Adobe APIs expect on every call: the token, the client id as API key, and the organization. */
export const ADOBE_HEADER_TEMPLATES: HeaderTemplates = Object.freeze({
  authorization: BEARER,
  'x-api-key': '{client_id}',
  'x-gw-ims-org-id': '{org_id}',
});
export const BEARER_HEADER_TEMPLATES: HeaderTemplates = Object.freeze({ authorization: BEARER });

const PLACEHOLDER = /\{(access_token|client_id|org_id)\}/g;

/** The header templates of a credential: its `headers:`, or its provider's default. */
export function headerTemplatesOf(credential: CredentialConfig): HeaderTemplates {
  if (credential.headers) return credential.headers;
  const provider = credential.provider;
  switch (provider) {
    case 'adobe-ims':
    case 'adobe-ims-jwt':
      return ADOBE_HEADER_TEMPLATES;
    case 'oauth2':
      return BEARER_HEADER_TEMPLATES;
    default: {
      const unreachable: never = provider;
      throw new Error(`no header templates for provider ${String(unreachable)}`);
    }
  }
}

/**
 * The headers a caller sends on an API call made with `accessToken`, from the credential's templates. A
 * credential that is gone (config reloaded meanwhile) gets the bare bearer header.
 */
export function callerHeaders(credential: CredentialConfig | undefined, accessToken: string): Record<string, string> {
  if (credential === undefined) return { authorization: `Bearer ${accessToken}` };
  const values: Readonly<Record<string, string>> = {
    access_token: accessToken,
    client_id: credential.clientId,
    // The config refuses {org_id} for providers without an organization, so '' is never rendered.
    org_id: 'orgId' in credential ? credential.orgId : '',
  };
  // A replacer function, not a replacement string: `$&` or `$1` in a token must stay literal.
  return Object.fromEntries(
    Object.entries(headerTemplatesOf(credential)).map(([name, template]) => [name, template.replace(PLACEHOLDER, (_, key: string) => values[key] ?? '')]),
  );
}
