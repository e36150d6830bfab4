import { MESSAGES } from '../config.constants';

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration such as `500ms`, `30s`, `15m`, `2h`, `30d`, or undefined if it is not one. */
export function tryParseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Milliseconds of a positive duration such as `500ms`, `30s`, `15m`, `2h`, `30d`; throws `RangeError` otherwise. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new RangeError(`invalid duration: ${MESSAGES.duration}`);
  return ms;
}
