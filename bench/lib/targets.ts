/**
 * The performance targets of issue 17, one row each, as every scenario reports them: what was measured, the
 * target beside it, and whether it was met. `met: null` means the run could not judge (e.g. a quick run whose
 * sizes are not the target's). The summary at the top of `docs/benchmarks.md` is built from these rows.
 */
export interface TargetRow {
  /** Stable key, e.g. `serving.ratio.fleet`, `scale.rss.10k`; the summary orders and deduplicates by it. */
  readonly id: string;
  /** What is measured, in words, e.g. "RSS with 10,000 credentials, each holding a token". */
  readonly what: string;
  /** The target, in words, e.g. "≤ 150 MiB". */
  readonly target: string;
  /** The figure measured in this run, formatted for the reader, e.g. "141 MiB". */
  readonly measured: string;
  readonly met: boolean | null;
}

export function verdict(met: boolean | null): string {
  if (met === null) return 'not judged';
  return met ? 'met' : '**missed**';
}
