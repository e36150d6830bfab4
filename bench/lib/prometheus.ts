/** Just enough of the Prometheus text format to read counters and histograms from `/metrics`. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of every sample of `name` (over all label sets) whose labels include `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

export interface HistogramData {
  /** Cumulative counts by upper bound (seconds), ascending, +Inf last. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/** A histogram summed over label sets (and over several scrapes, when given several sample lists). */
export function histogramOf(scrapes: readonly (readonly Sample[])[], name: string): HistogramData | undefined {
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let seen = false;
  for (const samples of scrapes) {
    for (const s of samples) {
      if (s.name === `${name}_bucket`) {
        seen = true;
        const le = s.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels['le']);
        byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      } else if (s.name === `${name}_count`) count += s.value;
      else if (s.name === `${name}_sum`) sum += s.value;
    }
  }
  if (!seen) return undefined;
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, count, sum };
}

/** `after - before`, bucket by bucket (the observations made between two scrapes). */
export function histogramDelta(after: HistogramData, before: HistogramData | undefined): HistogramData {
  if (!before) return after;
  const previous = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (previous.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile of a histogram, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does; `upperBound` is the bucket's upper edge (what can be claimed for sure).
 */
export function histogramQuantile(histogram: HistogramData, q: number): { estimate: number; upperBound: number } | undefined {
  const total = histogram.buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerEdge = 0;
  let lowerCount = 0;
  for (const bucket of histogram.buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return { estimate: lowerEdge, upperBound: Number.POSITIVE_INFINITY };
      const inBucket = bucket.count - lowerCount;
      const fraction = inBucket > 0 ? (rank - lowerCount) / inBucket : 1;
      return { estimate: lowerEdge + (bucket.le - lowerEdge) * fraction, upperBound: bucket.le };
    }
    lowerEdge = bucket.le;
    lowerCount = bucket.count;
  }
  return undefined;
}
