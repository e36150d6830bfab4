import { Gauge, type Registry } from 'prom-client';

/** Per-credential figures the paging alerts read (deploy/kubernetes/monitoring, docs/monitoring.md). */
export interface CredentialHealth {
  /** Refreshes of the credential that failed in a row on this instance; 0 after a success. */
  readonly refreshFailures?: number;
  /** The identity provider rejected the credential (invalid_client, …) at the last refresh. */
  readonly rejected?: boolean;
  /** The oldest the client secret may get under its rotation schedule. */
  readonly rotationMaxSecretAgeSeconds?: number;
  /** How long a scheduled rotation is past the end of its start window without having started. */
  readonly rotationOverdueSeconds?: number;
  /** The latest rotation failed or waits to retry a failed step. */
  readonly rotationBlocked?: boolean;
}

interface Labelled extends CredentialHealth {
  readonly credentialId: string;
  readonly provider: string;
}

const flag = (value: boolean | undefined): number | undefined => (value === undefined ? undefined : value ? 1 : 0);

const GAUGES: readonly [name: string, help: string, pick: (h: CredentialHealth) => number | undefined][] = [
  ['broker_token_refresh_failures', 'Refreshes of a credential that failed in a row on this instance (0 after a success).', (h) => h.refreshFailures],
  ['broker_credential_rejected', '1 while the identity provider rejects the credential (invalid_client, unauthorized_client, …).', (h) => flag(h.rejected)],
  ['broker_rotation_max_secret_age_seconds', 'The oldest the client secret may get under its rotation schedule (one period plus the window).', (h) => h.rotationMaxSecretAgeSeconds],
  ['broker_rotation_overdue_seconds', 'Seconds a scheduled rotation is past the end of its start window without having started.', (h) => h.rotationOverdueSeconds],
  ['broker_rotation_blocked', '1 while the latest rotation failed, rolled back or waits to retry a failed step.', (h) => flag(h.rotationBlocked)],
];

/** Registers the per-credential health gauges; each reads `snapshots` at scrape time. */
export function registerCredentialHealthGauges(registry: Registry, snapshots: () => readonly Labelled[]): void {
  for (const [name, help, pick] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['credential', 'provider'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const snapshot of snapshots()) {
          const value = pick(snapshot);
          if (value !== undefined) this.set({ credential: snapshot.credentialId, provider: snapshot.provider }, value);
        }
      },
    });
  }
}
