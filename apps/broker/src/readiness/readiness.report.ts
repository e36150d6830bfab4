/**
 * Readiness means "this instance can serve tokens now". A component's status says what its state does to
 * that: `up`; `degraded` (something is wrong, tokens are still served: stay in the load balancer); `down`
 * (only what a restart or another replica could fix: the instance should get no traffic).
 */
export type ComponentStatus = 'up' | 'degraded' | 'down';

/** The instance's readiness, as the `broker_readiness_state` gauge names it. */
export type ReadinessState = 'ready' | 'degraded' | 'not_ready';

export const READINESS_STATES: readonly ReadinessState[] = ['ready', 'degraded', 'not_ready'];
export const COMPONENT_STATUSES: readonly ComponentStatus[] = ['up', 'degraded', 'down'];

/** One component's entry in the body: its status plus details (counts, reasons for people). */
export type ComponentReport = { readonly status: ComponentStatus } & Readonly<Record<string, unknown>>;

/**
 * Terminus' response shape (`status`, `info`, `error`, `details`) with one more top-level word: `degraded`.
 * `info` holds the components that are up, `error` those that are degraded or down, `details` all of them.
 */
export interface ReadinessBody {
  readonly status: 'ok' | 'degraded' | 'error';
  readonly info: Readonly<Record<string, ComponentReport>>;
  readonly error: Readonly<Record<string, ComponentReport>>;
  readonly details: Readonly<Record<string, ComponentReport>>;
}

export interface ReadinessReport {
  readonly state: ReadinessState;
  /** 200 while ready or degraded, 503 when not ready. */
  readonly httpStatus: 200 | 503;
  readonly body: ReadinessBody;
}

/** Combines the components: any `down` makes the instance not ready, else any `degraded` makes it degraded. */
export function readinessOf(components: Readonly<Record<string, ComponentReport>>): ReadinessReport {
  const entries = Object.entries(components);
  const info = Object.fromEntries(entries.filter(([, c]) => c.status === 'up'));
  const error = Object.fromEntries(entries.filter(([, c]) => c.status !== 'up'));
  const state: ReadinessState = entries.some(([, c]) => c.status === 'down')
    ? 'not_ready'
    : entries.some(([, c]) => c.status === 'degraded')
      ? 'degraded'
      : 'ready';
  const status = bodyStatus(state);
  return { state, httpStatus: state === 'not_ready' ? 503 : 200, body: { status, info, error, details: components } };
}

function bodyStatus(state: ReadinessState): ReadinessBody['status'] {
  switch (state) {
    case 'ready':
      return 'ok';
    case 'degraded':
      return 'degraded';
    case 'not_ready':
      return 'error';
    default: {
      const unknown: never = state;
      throw new Error(`unknown readiness state ${String(unknown)}`);
    }
  }
}
