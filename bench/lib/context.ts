/** What every scenario gets from the runner. */
export interface BenchContext {
  readonly quick: boolean;
  /** Where profiles and other artefacts of this run go. */
  readonly artefactsDir: string;
  /** LOG_LEVEL of the brokers of scenarios 2–4 (default warn); `debug` to see why something happened. */
  readonly brokerLogLevel: string;
  /** Progress lines (stderr), prefixed with the elapsed time. */
  log(message: string): void;
}
