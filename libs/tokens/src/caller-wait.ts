import { UpstreamUnavailableError } from '@broker/issuers';

/** What a caller is told to wait before asking again when its wait ran out while the refresh goes on. */
export const CALLER_RETRY_AFTER_MS = 1_000;

/**
 * Waits for `refresh` at most `waitMs`. Past it the caller gets a 503 with Retry-After, while the refresh
 * itself carries on in the background (it is shared through the service's in-flight map), so the next
 * caller finds its result instead of starting another upstream call. A refresh that fails after the caller
 * left is not an unhandled rejection: the service records and logs its outcome itself.
 */
export function waitAtMost<T>(refresh: Promise<T>, waitMs: number): Promise<T> {
  refresh.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UpstreamUnavailableError('The token is still being refreshed; ask again shortly.', CALLER_RETRY_AFTER_MS)),
      waitMs,
    );
  });
  return Promise.race([refresh, gaveUp]).finally(() => clearTimeout(timer));
}
