/** Small statistics helpers; every input is a plain array of numbers. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for an empty input. */
export function quantile(values: readonly number[] | Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return quantileOfSorted(sorted, q);
}

/** Quantile of an already ascending-sorted array. */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** p50/p90/p99/max/mean of latencies in milliseconds, rounded to µs. */
export function summarizeLatencies(values: readonly number[] | Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: round3(quantileOfSorted(sorted, 0.5)),
    p90: round3(quantileOfSorted(sorted, 0.9)),
    p99: round3(quantileOfSorted(sorted, 0.99)),
    max: round3(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN),
    mean: round3(sorted.length ? sum / sorted.length : Number.NaN),
  };
}

/** The largest number of timestamps (ms) falling in any window of `windowMs`. */
export function peakInWindow(timestamps: readonly number[], windowMs: number): { count: number; startsAt: number } {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let startsAt = sorted[0] ?? 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    if (last - first + 1 > best) {
      best = last - first + 1;
      startsAt = sorted[first] as number;
    }
  }
  return { count: best, startsAt };
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
