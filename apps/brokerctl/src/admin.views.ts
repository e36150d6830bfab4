import type { CredentialList, CredentialStatus, InstanceSummary, Problem, RefreshResult, ReloadResult, Rotation, RotationHistory } from './admin-api.types';
import { cell, formatSpan, relativeTime, renderFields, renderTable } from './table.format';

/**
 * Human-readable renderings of the admin API's answers (control characters are masked where they are
 * written, see brokerctl.ts). Each reads its input defensively (a field missing
 * from a newer or older broker shows as `-`), since `--json` is the exact form and this one is for eyes.
 */

const SHORT_VERSION = 8;

function expiresIn(c: CredentialStatus, now: number): string {
  if (c.token?.held !== true) return '-';
  if (typeof c.token.expires_in === 'number') return `in ${formatSpan(c.token.expires_in)}`;
  return relativeTime(c.token.expires_at, now);
}

function lastRefresh(c: CredentialStatus, now: number): string {
  const last = c.last_refresh;
  if (!last) return '-';
  const outcome = last.outcome === 'failure' && last.error_code ? `failure (${last.error_code})` : cell(last.outcome);
  return `${outcome} ${relativeTime(last.at, now)}`;
}

function secretSummary(c: CredentialStatus, short: boolean): string {
  const secret = c.secret;
  if (!secret) return '-';
  const version = typeof secret.version === 'string' ? ` ${short ? secret.version.slice(0, SHORT_VERSION) : secret.version}` : '';
  const age = typeof secret.age_seconds === 'number' ? ` (read ${formatSpan(secret.age_seconds)} ago)` : ' (not read yet)';
  const failing = typeof secret.last_error === 'string' ? (short ? ' FAILING' : `; reading it fails: ${cell(secret.last_error)}`) : '';
  return `${cell(secret.source)}${version}${age}${failing}`;
}

function rotationState(rotation: Rotation | null | undefined): string {
  return rotation ? cell(rotation.state) : '-';
}

/** How an instance is named in brokerctl's output: host, pid and the start of its id. */
function instanceName(instance: InstanceSummary): string {
  const id = typeof instance.instance_id === 'string' ? instance.instance_id.slice(0, SHORT_VERSION) : '-';
  return `${cell(instance.host)}:${cell(instance.pid)} (${id})`;
}

/** The fleet's live instances; says so when their configs differ (a reload that did not reach every pod). */
function fleetView(fleet: readonly InstanceSummary[], now: number): string[] {
  const hashes = new Set(fleet.map((i) => i.config_hash));
  const table = renderTable(
    ['INSTANCE', 'READINESS', 'CONFIG', 'LAST HEARTBEAT'],
    fleet.map((i) => [instanceName(i), cell(i.readiness), cell(i.config_hash), relativeTime(i.seen_at, now)]),
  );
  const verdict = hashes.size > 1 ? `; configs differ (${hashes.size} hashes): a reload has not reached every instance` : '';
  return ['', `fleet: ${fleet.length} live instance${fleet.length === 1 ? '' : 's'}${verdict}`, table];
}

/** `brokerctl status`: which instance answered and the config it runs, the credentials, then the fleet. */
export function statusView(list: CredentialList, now: number): string {
  const instance = list.instance;
  const header = instance ? [`answered by ${instanceName(instance)}: ${cell(instance.readiness)}, config ${cell(instance.config_hash ?? list.config_hash)}`, ''] : [];
  const failing = list.credentials.filter((c) => typeof c.secret?.last_error === 'string');
  const causes = failing.length > 0 ? ['', 'secret sources failing:', ...failing.map((c) => `  ${cell(c.id)}: ${cell(c.secret.last_error)}`)] : [];
  const fleet = Array.isArray(list.fleet) ? fleetView(list.fleet, now) : list.fleet === null ? ['', 'fleet: unknown (the roster in Redis cannot be read)'] : [];
  return [...header, credentialsTable(list.credentials, now), ...causes, ...fleet].join('\n');
}

/** One row per credential. */
export function credentialsTable(credentials: readonly CredentialStatus[], now: number): string {
  if (credentials.length === 0) return 'no credentials configured';
  return renderTable(
    ['ID', 'PROVIDER', 'TOKEN', 'EXPIRES', 'NEXT REFRESH', 'LAST REFRESH', 'UPSTREAM CALLS', 'SECRET', 'ROTATION'],
    credentials.map((c) => [
      cell(c.id),
      cell(c.provider),
      c.token?.held === true ? 'held' : 'none',
      expiresIn(c, now),
      relativeTime(c.token?.next_refresh_at, now),
      lastRefresh(c, now),
      cell(c.upstream_calls),
      secretSummary(c, true),
      rotationState(c.rotation),
    ]),
  );
}

/** `brokerctl status <id>`: every field of one credential. */
export function credentialDetail(c: CredentialStatus, now: number): string {
  const token = c.token;
  const last = c.last_refresh;
  return renderFields([
    ['credential', cell(c.id)],
    ['provider', cell(c.provider)],
    ['token', token?.held === true ? 'held' : 'none'],
    ['expires at', token?.held === true ? `${cell(token.expires_at)} (${expiresIn(c, now)})` : '-'],
    ['next refresh', token?.next_refresh_at ? `${token.next_refresh_at} (${relativeTime(token.next_refresh_at, now)})` : '-'],
    ['last refresh', last ? `${lastRefresh(c, now)}, took ${cell(last.duration_ms)} ms, at ${cell(last.at)}` : '-'],
    ['upstream calls', cell(c.upstream_calls)],
    ['secret', secretSummary(c, false)],
    ['secret read at', cell(c.secret?.fetched_at)],
    ['rotation', c.rotation ? rotationSummary(c.rotation) : '-'],
  ]);
}

/** `brokerctl refresh <id>`. */
export function refreshed(result: RefreshResult): string {
  return `refreshed ${cell(result.credential_id)}: new token expires at ${cell(result.expires_at)} (in ${formatSpan(result.expires_in)})`;
}

/** `brokerctl evict <id>`. */
export function evicted(id: string): string {
  return `evicted the held token of ${id}; the next request mints a new one`;
}

/** `brokerctl rotate <id>`: the rotation the broker started (it runs in the background). */
export function rotationStarted(id: string, rotation: Rotation): string {
  return `rotation ${cell(rotation.rotation_id)} of ${id} started: ${rotationSummary(rotation)}\nfollow it with: brokerctl rotations ${id}`;
}

/** `brokerctl rotate <id> --dry-run`: what the first step found; nothing was changed. */
export function dryRunReport(id: string, report: Rotation): string {
  const lines = [`dry run for ${id} (nothing was changed): ${rotationSummary(report)}`];
  for (const [name, value] of Object.entries(report)) {
    if (DRY_RUN_SHOWN.has(name) || value === null || typeof value === 'object') continue;
    lines.push(`  ${name}: ${cell(value)}`);
  }
  return lines.join('\n');
}

const DRY_RUN_SHOWN = new Set(['rotation_id', 'dry_run', 'state', 'step', 'error_code', 'started_at']);

/** `brokerctl rotations <id>`. */
export function rotationsView(id: string, rotations: RotationHistory): string {
  const lines = [`${id}: ${rotations.current ? `current rotation ${cell(rotations.current.rotation_id)}: ${rotationSummary(rotations.current)}` : 'no rotation in progress'}`];
  const secret = rotations.current_secret;
  if (secret && typeof secret === 'object') {
    const age = typeof secret['age_seconds'] === 'number' ? `, ${formatSpan(secret['age_seconds'])} old` : '';
    const next = secret['next_scheduled_at'] ? `, next scheduled rotation ${cell(secret['next_scheduled_at'])}` : '';
    lines.push(`current secret: version ${cell(secret['version_id'])}${age}${next}`);
  }
  const history = Array.isArray(rotations.history) ? rotations.history : [];
  if (history.length === 0) return [...lines, 'no earlier rotations'].join('\n');
  const table = renderTable(
    ['ROTATION', 'STATE', 'STEP', 'TRIGGER', 'STARTED', 'FINISHED', 'ERROR'],
    history.map((r) => [
      cell(r.rotation_id),
      cell(r.state),
      cell(r['step']),
      cell(r['trigger']),
      cell(r['started_at']),
      cell(r['finished_at']),
      cell(r['error_code']),
    ]),
  );
  return [...lines, '', table].join('\n');
}

/** `brokerctl reload`. */
export function reloaded(result: ReloadResult): string {
  return `configuration ${cell(result.status)}: ${cell(result.credentials)} credentials, ${cell(result.callers)} callers`;
}

/** The `issues` of a rejected reload, one per line, for stderr after the error line. */
export function problemIssues(problem: Problem): string[] {
  if (!Array.isArray(problem.issues)) return [];
  return problem.issues.map((issue) => `  - ${cell(issue?.path)}: ${cell(issue?.message)}`);
}

function rotationSummary(rotation: Rotation): string {
  const parts = [`state ${cell(rotation.state)}`];
  if (rotation['step'] !== undefined) parts.push(`step ${cell(rotation['step'])}`);
  if (rotation['started_at'] !== undefined) parts.push(`started ${cell(rotation['started_at'])}`);
  if (rotation['error_code'] !== undefined && rotation['error_code'] !== null) parts.push(`error ${cell(rotation['error_code'])}`);
  return parts.join(', ');
}
