/** Plain-text output helpers: aligned tables, relative times. No colours, so output pipes cleanly. */

/**
 * Replaces control characters (ANSI escapes included) with `?`: cell values come from the broker, and a
 * terminal must not be steered by them.
 */
export function printable(value: string): string {
  return value.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}

/** Columns separated by two spaces, headers first, each cell left-aligned; no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => printable(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** `label  value` lines with the labels aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${printable(value)}`.trimEnd()).join('\n');
}

/** A span of seconds as `1d2h`, `3h05m`, `4m05s` or `12s` (two units at most). */
export function formatSpan(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const seconds = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (days > 0) return `${days}d${hours}h`;
  if (hours > 0) return `${hours}h${two(minutes)}m`;
  if (minutes > 0) return `${minutes}m${two(seconds)}s`;
  return `${seconds}s`;
}

/** `in 3h05m` or `4m05s ago` for a timestamp relative to `now`; `-` when absent or unparsable. */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (typeof iso !== 'string') return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  const seconds = (at - now) / 1000;
  return seconds >= 0 ? `in ${formatSpan(seconds)}` : `${formatSpan(-seconds)} ago`;
}

/** A value for a cell: `-` for null/undefined, otherwise its text. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
