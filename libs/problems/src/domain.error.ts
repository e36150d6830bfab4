/**
 * Base of every error the broker expects. `code` is stable and documented; `status` is the HTTP status the
 * problem filter answers with. The message is shown to callers as `detail`, so it must never hold a secret,
 * a token or an upstream response body.
 */
export class DomainError extends Error {
  /** RFC 9457 extension members added to the problem body (e.g. the list of config issues). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown; extensions?: Readonly<Record<string, unknown>> },
  ) {
    super(detail, options);
    this.extensions = options?.extensions ?? {};
    this.name = new.target.name;
  }
}

/** The request itself is malformed (bad id, bad parameter, unknown parameter). */
export class InvalidRequestError extends DomainError {
  constructor(detail: string, code = 'invalid_request') {
    super(code, 400, 'Invalid request', detail);
  }
}
