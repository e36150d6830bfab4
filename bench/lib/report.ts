import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BenchResults, ScenarioName } from '../run';
import type { ProfileSummary } from './cpuprofile';
import { machineLine } from './machine';
import { clientSection } from '../scenarios/client';
import { p99LimitMs, SERVING_TARGETS } from '../scenarios/serving';
import { type TargetRow, verdict } from './targets';

const SECTIONS: readonly { scenario: ScenarioName; title: string }[] = [
  { scenario: 'serving', title: '1. Serving a cache hit' },
  { scenario: 'upstream', title: '2. Upstream economy (cold fleet)' },
  { scenario: 'scale', title: '3. Scale with credentials' },
  { scenario: 'fleet-refresh', title: '4. Fleet refresh under contention' },
  { scenario: 'client', title: '5. The client library' },
  { scenario: 'proxy', title: '7. Calls through the proxy' },
];

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const mark = (ok: boolean): string => (ok ? 'met' : '**missed**');

/** The newest results holding `scenario`, full runs preferred over quick ones. */
function latestFor(all: readonly { file: string; results: BenchResults }[], scenario: ScenarioName): { file: string; results: BenchResults } | undefined {
  const having = all.filter((r) => r.results.scenarios[scenario] !== undefined).sort((a, b) => b.results.startedAt.localeCompare(a.results.startedAt));
  return having.find((r) => r.results.mode === 'full') ?? having[0];
}

function provenance(root: string, file: string, results: BenchResults, durationMs: number): string {
  return [
    `_Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.mode} mode, in ${Math.round(durationMs / 1000)} s, on ${machineLine(results.machine)};`,
    `commit ${results.build.gitHead} with ${results.build.dirtyFiles} files changed in the work tree. Raw figures: [\`${relative(root, file)}\`](../${relative(root, file)})._`,
  ].join(' ');
}

function profileTables(profiles: readonly { target: string; summary: ProfileSummary; rpsWhileProfiling: number }[]): string[] {
  if (profiles.length === 0) return [];
  const lines: string[] = ['', '**CPU profiles at 64 connections** (`node --cpu-prof`, the load window only; % of busy CPU time):', ''];
  for (const { target, summary, rpsWhileProfiling } of profiles) {
    lines.push(`<details><summary>${target}: ${int(rpsWhileProfiling)} req/s while profiled; ${int(summary.busyMs)} ms busy, ${int(summary.idleMs)} ms idle</summary>`, '');
    lines.push('| top self time | % | self time by area | % | inclusive by area | % |', '|---|--:|---|--:|---|--:|');
    const rows = Math.max(summary.topSelf.length, summary.selfByArea.length, summary.inclusiveByArea.length);
    for (let i = 0; i < Math.min(rows, 12); i++) {
      const cell = (row: { name: string; percentBusy: number } | undefined): string => (row ? `\`${row.name.replace(/\|/g, '\\|')}\` | ${row.percentBusy.toFixed(1)}` : ' | ');
      lines.push(`| ${cell(summary.topSelf[i])} | ${cell(summary.selfByArea[i])} | ${cell(summary.inclusiveByArea[i])} |`);
    }
    lines.push('', '</details>', '');
  }
  return lines;
}

function servingSection(root: string, file: string, results: BenchResults): string[] {
  const s = results.scenarios.serving;
  if (!s) return [];
  const lines = [provenance(root, file, results, s.durationMs), ''];
  lines.push(
    `${s.settings.reps} × ${s.settings.durationSec} s per cell, interleaved (baseline, broker in-process, broker fleet; then the next concurrency; then again), after a ${s.settings.warmupSec} s warm-up per server; medians. Broker at \`LOG_LEVEL=${s.settings.logLevel}\`, audit lines to a file (\`AUDIT_LOG\`).`,
    '',
    '| connections | baseline req/s | p50 ms | p99 ms | in-process req/s | p50 ms | p99 ms | ratio | fleet req/s | p50 ms | p99 ms | ratio |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const c of s.settings.concurrency) {
    const cell = (t: string) => s.cells.find((x) => x.target === t && x.connections === c);
    const b = cell('baseline');
    const l = cell('broker-local');
    const f = cell('broker-fleet');
    if (!b || !l || !f) continue;
    lines.push(
      `| ${c} | ${int(b.rps)} | ${ms(b.p50Ms)} | ${ms(b.p99Ms)} | ${int(l.rps)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${l.ratio.toFixed(2)} | ${int(f.rps)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${f.ratio.toFixed(2)} |`,
    );
  }
  lines.push(
    '',
    `Targets at ${SERVING_TARGETS.connections} connections (issue 17): ratio ≥ ${SERVING_TARGETS.minRatio} in req/s and in req per CPU-second; p99 ≤ ${SERVING_TARGETS.maxP99Factor} × the baseline's, and < ${SERVING_TARGETS.p99CapMs} ms where the baseline's is.`,
    '',
  );
  for (const t of s.targets) {
    const limit = t.p99LimitMs ?? p99LimitMs(t.baselineP99Ms ?? Number.NaN);
    lines.push(
      `- ${t.mode === 'broker-local' ? 'in-process' : 'fleet'}: ratio ${t.ratio.toFixed(2)} (${mark(t.ratioMet)}), per CPU-second ${t.ratioPerCpu?.toFixed(2) ?? 'n/a'} (${t.ratioPerCpuMet === undefined ? 'not judged' : mark(t.ratioPerCpuMet)}), p99 ${ms(t.p99Ms)} ms against at most ${ms(limit)} ms (${mark(t.p99Met)})`,
    );
  }
  lines.push(
    '',
    'CPU during the runs (median, % of one core): server process (fleet: broker + redis-server) / load generator / everything else on the machine; and requests served per CPU-second of the server, with its ratio to the baseline (the cost of a request, which holds up when other processes take CPU away).',
    '',
    '| connections | baseline CPU % | in-process CPU % | fleet CPU % | baseline req/CPU-s | in-process req/CPU-s | ratio | fleet req/CPU-s | ratio |',
    '|--:|---|---|---|--:|--:|--:|--:|--:|',
  );
  for (const c of s.settings.concurrency) {
    const find = (t: string) => s.cells.find((y) => y.target === t && y.connections === c);
    const cpu = (t: string): string => {
      const x = find(t);
      return x ? `${x.serverCpuPercent.toFixed(0)} / ${x.generatorCpuPercent.toFixed(0)} / ${x.foreignCpuPercent.toFixed(0)}` : '';
    };
    const eff = (t: string): string => {
      const x = find(t);
      return x?.requestsPerCpuSecond !== undefined ? `${int(x.requestsPerCpuSecond)}${t === 'baseline' ? '' : ` | ${x.ratioPerCpu.toFixed(2)}`}` : ' | ';
    };
    lines.push(`| ${c} | ${cpu('baseline')} | ${cpu('broker-local')} | ${cpu('broker-fleet')} | ${eff('baseline')} | ${eff('broker-local')} | ${eff('broker-fleet')} |`);
  }
  const repeated = s.runs.filter((r) => r.attempts > 1).length;
  const errors = s.runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
  lines.push('', `${s.runs.length} runs; ${repeated} repeated because other processes were busy; ${errors} non-2xx responses or errors. Response parity: ${s.parity.map((p) => `${p.target} ${p.status} ${p.bodyBytes} B`).join(', ')}; headers ${s.parity[0]?.headers.join(', ') ?? ''}.`);
  lines.push(...profileTables(s.profiles));
  return lines;
}

function upstreamSection(root: string, file: string, results: BenchResults): string[] {
  const u = results.scenarios.upstream;
  if (!u?.runs) return [];
  const lines = [provenance(root, file, results, u.durationMs), ''];
  lines.push(
    `${u.settings.instances} brokers, ${int(u.settings.credentials)} credentials, ${int(u.settings.requests)} requests at once; ${u.runs.length} cold start(s), each with a fresh redis-server and fresh brokers.`,
    '',
    '| cold start | upstream calls | calls per credential | all served in | p50 | p99 | statuses | lock acquired / waits | lock wait p99 | minted per broker | CPU: brokers / redis / machine |',
    '|--:|--:|---|--:|--:|--:|---|---|---|---|---|',
  );
  u.runs.forEach((r, i) => {
    const c = r.calls;
    const lock = r.lock
      ? [`${int(r.lock.acquired)} / ${int(r.lock.waits)}`, `≈ ${r.lock.waitP99Seconds ?? 'n/a'} s (≤ ${r.lock.waitP99UpperBoundSeconds ?? 'n/a'} s)`, r.lock.mintedPerInstance.join(' + ')]
      : ['–', '–', '–'];
    lines.push(
      `| #${i + 1} | ${int(c.total)} | exactly 1: ${int(c.exactlyOne)}, >1: ${c.moreThanOne}, 0: ${c.none} | ${int(r.allServedMs)} ms | ${ms(r.latencyMs.p50)} ms | ${ms(r.latencyMs.p99)} ms | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${int(v)}`).join(', ')} | ${lock.join(' | ')} | ${int(r.cpuMs.brokers)} / ${int(r.cpuMs.redis)} / ${int(r.cpuMs.machine)} ms |`,
    );
  });
  const met = u.runs.every((r) => r.calls.exactlyOne === r.calls.credentials);
  lines.push(
    '',
    `Target exactly one upstream call per credential: ${mark(met)}${met ? '' : ` (${u.runs.filter((r) => r.calls.exactlyOne !== r.calls.credentials).length} of ${u.runs.length} cold starts)`}. Fleet mode, one redis-server; the emulated IMS answers after ${u.settings.upstreamDelayMs} ms; ${u.settings.connectionsPerInstance} keep-alive connections per broker; secrets ${u.settings.secrets}. Brokers ready (\`/health/ready\` 200) ${u.runs.map((r) => int(r.bootMs)).join(' / ')} ms after spawn (3 at once). CPU is that of the burst's duration; the machine has ${results.machine.cores} cores.`,
  );
  const dups = u.runs.flatMap((r, i) => r.duplicates.map((d) => `${d.credential} in #${i + 1} (calls at +${d.callsAtMs.join(', +')} ms)`));
  if (dups.length) lines.push('', `Minted more than once: ${dups.join('; ')}.`);
  const warnings = new Map<string, number>();
  for (const r of u.runs) for (const [m, n] of Object.entries(r.brokerWarnings)) warnings.set(m, (warnings.get(m) ?? 0) + n);
  if (warnings.size) lines.push('', `Broker log lines at warn and above: ${[...warnings].map(([m, n]) => `${n} × "${m}"`).join('; ')}.`);
  return lines;
}

function scaleSection(root: string, file: string, results: BenchResults): string[] {
  const s = results.scenarios.scale;
  if (!s) return [];
  const lines = [provenance(root, file, results, s.durationMs), ''];
  const header = [
    '| credentials | boot (spawn → live) | RSS after boot | warm-up (1 fetch each) | RSS after warm-up | idle CPU / min | refresh cycle: calls | span | mean /s | peak /s (1 s) | peak /s (100 ms) | CPU per refresh | projected CPU / min with 24 h tokens |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const row = (r: (typeof s.rows)[number]): string =>
    `| ${int(r.credentials)} | ${int(r.bootMs)} ms | ${r.rssAfterBootMiB.toFixed(0)} MiB | ${int(r.warmupMs)} ms${r.warmupFailures ? ` (${r.warmupFailures} failed)` : ''} | ${r.rssAfterWarmupMiB.toFixed(0)} MiB | ${int(r.idleCpuMsPerMinute)} ms | ${int(r.cycle.refreshes)}${r.cycle.duplicates ? ` (${r.cycle.duplicates} twice)` : ''}${r.cycle.completed ? '' : ' (incomplete)'} | ${r.cycle.spanSeconds.toFixed(1)} s | ${int(r.cycle.meanPerSecond)} | ${int(r.cycle.peakPerSecond)} | ${int(r.cycle.peak100msPerSecond)} | ${r.cycle.cpuMsPerRefresh.toFixed(2)} ms | ${int(r.projectedCpuMsPerMinute24hTokens)} ms |`;
  lines.push('On the host (no memory limit: V8 sizes its heap for the machine\'s memory):', '', ...header, ...s.rows.map(row));
  const deployed = s.deployed as ScaleDeployed | undefined;
  if (deployed && 'rows' in deployed) {
    const hits = deployed.rows.map((r) => `${int(r.credentials)}: ${int(r.limitHits ?? 0)}`).join(', ');
    lines.push(
      '',
      `As deployed: the broker in a memory cgroup limited to ${deployed.limitMiB} MiB, the \`limits.memory\` of deploy/kubernetes/deployment.yaml (Node sizes V8's heap from it). Times the cgroup hit its limit: ${hits}.`,
      '',
      ...header,
      ...deployed.rows.map(row),
    );
  } else if (deployed) {
    lines.push('', `As deployed (a memory cgroup limited to ${deployed.limitMiB} MiB): not measured, ${deployed.unavailable}.`);
  }
  lines.push(
    '',
    `One broker, ${s.settings.mode}, \`LOG_LEVEL=${s.settings.logLevel}\`. Tokens of the warm-up live ${s.settings.tokenLifetimeSeconds} s (refreshAt ${s.settings.refreshAt} ± ${s.settings.refreshJitter}); the cycle's refreshes mint 24 h tokens, so the ${s.settings.idleWindowSeconds} s idle window after it holds every token with none due. RSS is VmRSS from /proc; CPU is utime + stime from /proc/<pid>/stat (10 ms ticks).`,
  );
  return lines;
}

/** `ScaleResult.deployed`; absent in results written before it existed. */
type ScaleDeployed = NonNullable<BenchResults['scenarios']['scale']>['deployed'];

function fleetSection(root: string, file: string, results: BenchResults): string[] {
  const f = results.scenarios['fleet-refresh'];
  if (!f) return [];
  const lock = (l: typeof f.cycle.lock): string =>
    l.source === 'metrics' ? `p99 ≈ ${l.waitP99Seconds ?? 'n/a'} s (bucket ≤ ${l.waitP99UpperBoundSeconds ?? 'n/a'} s), ${int(l.waits ?? 0)} waits` : 'no `/metrics` (see the probe latency)';
  const lines = [provenance(root, file, results, f.durationMs), ''];
  lines.push(
    '| phase | upstream calls | per credential | lock wait (broker_lock_wait_seconds) | lock acquired / contended | refreshes minted / adopted | client latency p50 / p99 / max |',
    '|---|--:|---|---|---|---|---|',
    `| cold start (${int(f.settings.instances * f.settings.credentials)} requests at once) | ${f.coldStart.calls.total} | exactly 1: ${f.coldStart.calls.exactlyOne}/${f.coldStart.calls.credentials}, max ${f.coldStart.calls.max} | ${lock(f.coldStart.lock)} | ${f.coldStart.lock.acquired ?? '–'} / ${f.coldStart.lock.contended ?? '–'} | ${f.coldStart.lock.refreshes?.['minted'] ?? '–'} / ${f.coldStart.lock.refreshes?.['adopted'] ?? '–'} | ${ms(f.coldStart.latencyMs.p50)} / ${ms(f.coldStart.latencyMs.p99)} / ${ms(f.coldStart.latencyMs.max)} ms |`,
    `| refresh cycle (tokens due together) | ${f.cycle.calls.total} | exactly 1: ${f.cycle.calls.exactlyOne}/${f.cycle.calls.credentials}, max ${f.cycle.calls.max} | ${lock(f.cycle.lock)} | ${f.cycle.lock.acquired ?? '–'} / ${f.cycle.lock.contended ?? '–'} | ${f.cycle.lock.refreshes?.['minted'] ?? '–'} / ${f.cycle.lock.refreshes?.['adopted'] ?? '–'} | during: ${ms(f.cycle.probeDuringRefresh.p50)} / ${ms(f.cycle.probeDuringRefresh.p99)} / ${ms(f.cycle.probeDuringRefresh.max)} ms (${f.cycle.probeDuringRefresh.count} req); outside: ${ms(f.cycle.probeOutsideRefresh.p50)} / ${ms(f.cycle.probeOutsideRefresh.p99)} / ${ms(f.cycle.probeOutsideRefresh.max)} ms |`,
    '',
    `${f.settings.instances} instances, ${f.settings.credentials} credentials, one redis-server; tokens live ${f.settings.tokenLifetimeSeconds} s, refreshAt ${f.settings.refreshAt}, refreshJitter ${f.settings.refreshJitter}; the emulated IMS answers after ${f.settings.upstreamDelayMs} ms. Target ${f.settings.credentials} upstream calls per cycle: ${mark(f.cycle.calls.total === f.settings.credentials && f.cycle.calls.exactlyOne === f.settings.credentials)}. The cycle's calls spanned ${int(f.cycle.spanMs)} ms. A steady probe of ${f.settings.probeRatePerSec} req/s${f.settings.probeMinTtlSeconds !== undefined ? ` (\`?min_ttl=${f.settings.probeMinTtlSeconds}\`: served from memory)` : ''} ran across the cycle (statuses ${Object.entries(f.cycle.probeStatuses).map(([k, v]) => `${k}: ${v}`).join(', ')}). Brokers ready (\`/health/ready\` 200) ${int(f.bootMs)} ms after spawn (${f.settings.instances} at once on ${results.machine.cores} cores).`,
  );
  const dups = [...(f.duplicates?.coldStart ?? []).map((d) => ({ ...d, phase: 'cold start' })), ...(f.duplicates?.cycle ?? []).map((d) => ({ ...d, phase: 'cycle' }))];
  if (dups.length) lines.push('', `Minted more than once: ${dups.map((d) => `${d.credential} in the ${d.phase} (calls at +${d.callsAtMs.join(', +')} ms)`).join('; ')}.`);
  const warnings = Object.entries(f.brokerWarnings ?? {});
  if (warnings.length) lines.push('', `Broker warnings: ${warnings.map(([m, n]) => `${n} × "${m}"`).join('; ')}.`);
  return lines;
}

function proxySection(root: string, file: string, results: BenchResults): string[] {
  const p = results.scenarios.proxy;
  if (!p) return [];
  return [
    provenance(root, file, results, p.durationMs),
    '',
    '| proxy | req/s | p50 | p99 |',
    '|---|--:|--:|--:|',
    `| bare \`node:http\` reverse proxy (same header work) | ${int(p.bare.rps)} | ${ms(p.bare.p50Ms)} ms | ${ms(p.bare.p99Ms)} ms |`,
    `| broker \`/v1/proxy/…\` | ${int(p.broker.rps)} | ${ms(p.broker.p50Ms)} ms | ${ms(p.broker.p99Ms)} ms |`,
    '',
    `Ratio ${p.ratio} (target ≥ ${p.targets.minRatio}: ${mark(p.met.ratio)}); added p99 ${p.addedP99Ms} ms (target < ${p.targets.maxAddedP99Ms} ms: ${mark(p.met.addedP99)}). ${p.settings.connections} connections, ${p.settings.reps} × ${p.settings.durationSec} s per target, alternating; medians. Small JSON answers from a bare \`node:http\` upstream; the broker in-process mode at \`LOG_LEVEL=warn\`, writing its audit line per call.`,
  ];
}

/** The rows a scenario reported against issue 17's targets (`targetRows`, or `targets` when it holds rows). */
function targetRowsOf(results: BenchResults, scenario: ScenarioName): TargetRow[] {
  const section = results.scenarios[scenario] as { targetRows?: unknown; targets?: unknown } | undefined;
  const rows = section?.targetRows ?? section?.targets;
  return Array.isArray(rows) ? rows.filter((row): row is TargetRow => typeof row === 'object' && row !== null && 'id' in row && 'met' in row) : [];
}

/** The proxy's own targets (issue 13), as rows. */
function proxyRows(results: BenchResults): TargetRow[] {
  const p = results.scenarios.proxy;
  if (!p) return [];
  return [
    { id: 'proxy.ratio', what: 'calls through the proxy, 64 connections: req/s, broker / bare node:http proxy (issue 13)', target: `≥ ${p.targets.minRatio}`, measured: String(p.ratio), met: p.met.ratio },
    { id: 'proxy.p99', what: 'calls through the proxy: p99 added to the bare proxy\'s (issue 13)', target: `< ${p.targets.maxAddedP99Ms} ms`, measured: `${p.addedP99Ms} ms`, met: p.met.addedP99 },
  ];
}

/** Every target row, each from the newest run of its scenario (full runs first), in the issue's order. */
function targetsSection(root: string, all: readonly { file: string; results: BenchResults }[]): string[] {
  const lines = ['| what | target | measured | | run |', '|---|---|---|---|---|'];
  let count = 0;
  for (const scenario of ['serving', 'scale', 'upstream', 'proxy'] as const) {
    const latest = latestFor(all, scenario);
    if (!latest) continue;
    const rows = scenario === 'proxy' ? proxyRows(latest.results) : targetRowsOf(latest.results, scenario);
    const run = `[${latest.results.startedAt.slice(0, 16).replace('T', ' ')}, ${latest.results.mode}](../${relative(root, latest.file)})`;
    for (const row of rows) {
      lines.push(`| ${row.what} | ${row.target} | ${row.measured} | ${verdict(row.met)} | ${run} |`);
      count++;
    }
  }
  return count ? lines : ['_No target measured yet: `npm run bench`._'];
}

/** The target rows of one run, for the console at the end of `npm run bench`. */
export function targetSummary(results: BenchResults): string[] {
  const rows = [...(['serving', 'scale', 'upstream'] as const).flatMap((scenario) => targetRowsOf(results, scenario)), ...proxyRows(results)];
  return rows.map((row) => `${verdict(row.met).replace(/\*/g, '').padEnd(10)} ${row.what}: ${row.measured} (target ${row.target})`);
}

const RENDERERS: Record<ScenarioName, (root: string, file: string, results: BenchResults) => string[]> = {
  serving: servingSection,
  upstream: upstreamSection,
  scale: scaleSection,
  'fleet-refresh': fleetSection,
  client: clientSection,
  proxy: proxySection,
};

/**
 * Regenerates the tables of docs/benchmarks.md (between `<!-- bench:<scenario>:begin -->` and `…:end -->`)
 * from the newest results of each scenario; the prose around them is left alone. Returns the docs path.
 */
export function updateDocs(root: string, resultsDir: string): string {
  const docsPath = join(root, 'docs/benchmarks.md');
  const all = readdirSync(resultsDir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      try {
        const results = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as BenchResults;
        return results.schema === 1 ? [{ file: join(resultsDir, name), results }] : [];
      } catch {
        return [];
      }
    });
  let doc = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : '# Benchmarks\n';
  for (const { scenario, title } of SECTIONS) {
    const latest = latestFor(all, scenario);
    const body = latest ? RENDERERS[scenario](root, latest.file, latest.results) : ['_Not measured yet: `npm run bench -- --scenario ' + scenario + '`._'];
    const begin = `<!-- bench:${scenario}:begin -->`;
    const end = `<!-- bench:${scenario}:end -->`;
    const block = `${begin}\n${body.join('\n')}\n${end}`;
    const from = doc.indexOf(begin);
    const to = doc.indexOf(end);
    doc = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n## ${title}\n\n${block}\n`;
  }
  const begin = '<!-- bench:targets:begin -->';
  const end = '<!-- bench:targets:end -->';
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) doc = `${doc.slice(0, from)}${begin}\n${targetsSection(root, all).join('\n')}\n${end}${doc.slice(to + end.length)}`;
  mkdirSync(dirname(docsPath), { recursive: true });
  writeFileSync(docsPath, doc.endsWith('\n') ? doc : `${doc}\n`);
  return docsPath;
}
