/** RFC 9457 problem details, plus the broker's stable `code` and the request id for support. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  request_id?: string;
  /** Extension members (RFC 9457 §3.2), e.g. `issues` of a rejected config reload. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** `type` URIs are stable identifiers, documented in the README; they need not resolve. */
export const PROBLEM_TYPE_BASE = 'https://token-broker.dev/problems/';

/** Builds a problem body; the `type` is derived from the stable code. */
export function problemOf(status: number, code: string, title: string, detail: string): Problem {
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status, detail, code };
}
