import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface RequestContext {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** An incoming `x-request-id` is reused only if it is short and plain, so it cannot inject into logs. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The request id to use for an incoming request: the caller's if well-formed, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

/** Runs `fn` with `requestId` attached to every log line written inside it. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The request id of the current async context, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Runs `fn` outside any request's context: timers armed while serving one request (background refreshes)
 * must not log under that request's id when they fire hours later.
 */
export function runOutsideRequest<T>(fn: () => T): T {
  return storage.exit(fn);
}
