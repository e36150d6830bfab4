/**
 * `npm run bench [-- --quick] [-- --scenario serving,upstream,scale,fleet-refresh,client,proxy] [-- --profile always|never]
 *  [-- --no-docs] [-- --broker-log-level debug]`: runs the benchmark scenarios on this machine, writes `bench/results/<date>.json`, and
 * regenerates the tables of `docs/benchmarks.md` from the newest results of each scenario.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stopAllRedis } from '../test/support/redis-harness';
import type { BenchContext } from './lib/context';
import { type BuildInfo, describeBuild, describeMachine, type MachineInfo } from './lib/machine';
import { snapshotBrokerBuild } from './lib/snapshot';
import { targetSummary, updateDocs } from './lib/report';
import { runServing, type ServingResult } from './scenarios/serving';
import { runUpstreamEconomy, type UpstreamEconomyResult } from './scenarios/upstream-economy';
import { runScale, type ScaleResult } from './scenarios/scale';
import { runFleetRefresh, type FleetRefreshResult } from './scenarios/fleet-refresh';
import { runClient, type ClientResult } from './scenarios/client';
import { runProxy, type ProxyResult } from './scenarios/proxy';

export const SCENARIOS = ['serving', 'upstream', 'scale', 'fleet-refresh', 'client', 'proxy'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  argv: string[];
  /** LOG_LEVEL of the brokers of scenarios 2–4 (serving always runs them at warn). */
  brokerLogLevel: string;
  machine: MachineInfo;
  build: BuildInfo;
  scenarios: {
    serving?: ServingResult;
    upstream?: UpstreamEconomyResult;
    scale?: ScaleResult;
    'fleet-refresh'?: FleetRefreshResult;
    client?: ClientResult;
    proxy?: ProxyResult;
  };
  failures: { scenario: ScenarioName; error: string }[];
}

const ROOT = join(__dirname, '../..', '..');
const BUILD_DIR = join(__dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench/results');
/** Hard bounds on the whole run: a stuck scenario must not hold the machine. */
const WATCHDOG_MS = { full: 25 * 60_000, quick: 8 * 60_000 } as const;

interface Args {
  quick: boolean;
  scenarios: ScenarioName[];
  profile: 'auto' | 'always' | 'never';
  docs: boolean;
  brokerLogLevel: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, scenarios: [...SCENARIOS], profile: 'auto', docs: true, brokerLogLevel: 'warn' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        args.quick = true;
        break;
      case '--scenario': {
        const names = value().split(',');
        for (const name of names) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}; one of ${SCENARIOS.join(', ')}`);
        args.scenarios = names as ScenarioName[];
        break;
      }
      case '--profile': {
        const v = value();
        if (v !== 'auto' && v !== 'always' && v !== 'never') throw new Error('--profile is auto, always or never');
        args.profile = v;
        break;
      }
      case '--no-docs':
        args.docs = false;
        break;
      case '--broker-log-level':
        args.brokerLogLevel = value();
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const mode = args.quick ? 'quick' : 'full';
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: watchdog: still running after ${WATCHDOG_MS[mode] / 60_000} min; giving up\n`);
    process.exit(2);
  }, WATCHDOG_MS[mode]);
  watchdog.unref();

  const stamp = new Date(started).toISOString().slice(0, 19).replace(/:/g, '');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const ctx: BenchContext = {
    quick: args.quick,
    artefactsDir: RESULTS_DIR,
    brokerLogLevel: args.brokerLogLevel,
    log: (message) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`),
  };
  const main = await snapshotBrokerBuild(ROOT, BUILD_DIR);
  ctx.log(`bench (${mode}): ${args.scenarios.join(', ')}; broker snapshot ${relative(ROOT, main)}`);

  const results: BenchResults = {
    schema: 1,
    startedAt: new Date(started).toISOString(),
    finishedAt: '',
    mode,
    argv: process.argv.slice(2),
    brokerLogLevel: args.brokerLogLevel,
    machine: describeMachine(ROOT),
    build: describeBuild(ROOT),
    scenarios: {},
    failures: [],
  };
  for (const scenario of args.scenarios) {
    ctx.log(`scenario ${scenario}: start`);
    try {
      switch (scenario) {
        case 'serving':
          results.scenarios.serving = await runServing(ctx, { profile: args.profile });
          break;
        case 'upstream':
          results.scenarios.upstream = await runUpstreamEconomy(ctx);
          break;
        case 'scale':
          results.scenarios.scale = await runScale(ctx);
          break;
        case 'fleet-refresh':
          results.scenarios['fleet-refresh'] = await runFleetRefresh(ctx);
          break;
        case 'client':
          results.scenarios.client = await runClient(ctx);
          break;
        case 'proxy':
          results.scenarios.proxy = await runProxy(ctx);
          break;
        default: {
          const unknown: never = scenario;
          throw new Error(`unknown scenario ${String(unknown)}`);
        }
      }
      ctx.log(`scenario ${scenario}: done`);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      results.failures.push({ scenario, error: message.slice(0, 4000) });
      ctx.log(`scenario ${scenario}: FAILED ${message}`);
    } finally {
      await stopAllRedis();
    }
  }
  results.finishedAt = new Date().toISOString();
  const suffix = [args.quick ? 'quick' : '', args.scenarios.length < SCENARIOS.length ? args.scenarios.join('+') : ''].filter(Boolean).join('-');
  const file = join(RESULTS_DIR, `${stamp}Z${suffix ? `-${suffix}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  ctx.log(`results: ${relative(ROOT, file)}`);
  for (const line of targetSummary(results)) ctx.log(`target: ${line}`);
  if (args.docs) {
    const docs = updateDocs(ROOT, RESULTS_DIR);
    ctx.log(`docs: ${relative(ROOT, docs)}`);
  }
  ctx.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(results.failures.length ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
