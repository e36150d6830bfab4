/**
 * Whether a fetch body can be sent a second time: strings, bytes, Blobs, forms and search params can; a
 * stream (or an async iterable) is consumed by the first attempt.
 */
export function isReplayable(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body === 'string') return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true;
  if (typeof FormData !== 'undefined' && body instanceof FormData) return true;
  if (body instanceof URLSearchParams) return true;
  return false;
}
