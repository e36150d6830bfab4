// The few parts of oidc-provider (panva) the test harness touches; the package ships no type declarations.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    grant_types?: string[];
    response_types?: string[];
    redirect_uris?: string[];
    token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'client_secret_jwt' | 'none';
    jwks?: { keys: Record<string, unknown>[] };
    /** Space-separated scopes the client may be granted. */
    scope?: string;
  }

  export type Configuration = Record<string, unknown> & { clients?: ClientMetadata[] };

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'server_error' | 'grant.error', listener: (ctx: unknown, error: Error) => void): this;
  }
}
