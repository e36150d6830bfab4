/** An authenticated caller of the broker. */
export interface Caller {
  readonly id: string;
  /** Credential ids this caller may fetch; `*` grants all. */
  readonly credentials: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `CallerGuard` once the caller is authenticated. */
    caller?: Caller;
  }
}
