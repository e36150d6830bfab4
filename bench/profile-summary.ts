/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): top self-time functions, and self/inclusive time by
 * area (node core module, npm package, broker lib).
 *   node bench/.build/bench/profile-summary.js bench/results/profiles/<file>.cpuprofile [top] [last-seconds]
 * (`last-seconds`: only the end of the profile, i.e. the load rather than the boot).
 */
import { summarizeProfile } from './lib/cpuprofile';

const [file, top, lastSeconds] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top] [last-seconds]');
  process.exit(2);
}
const summary = summarizeProfile(file, { top: Number(top ?? 20), ...(lastSeconds ? { lastMs: Number(lastSeconds) * 1000 } : {}) });
console.log(`${summary.file}: ${summary.totalMs} ms sampled, ${summary.busyMs} ms busy, ${summary.idleMs} ms idle`);
for (const [title, rows] of [
  ['top self time', summary.topSelf],
  ['self time by area', summary.selfByArea],
  ['inclusive time by area', summary.inclusiveByArea],
] as const) {
  console.log(`\n${title} (% of busy):`);
  for (const row of rows) console.log(`  ${row.percentBusy.toFixed(1).padStart(5)}%  ${row.ms.toFixed(1).padStart(8)} ms  ${row.name}`);
}
