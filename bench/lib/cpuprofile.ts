import { readFileSync } from 'node:fs';

/** The parts of V8's .cpuprofile JSON (written by `node --cpu-prof`) that the summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  ms: number;
  /** Share of the non-idle time. */
  percentBusy: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Top functions by self time. */
  topSelf: ProfileRow[];
  /** Self time grouped by where the code lives (node core module, npm package, broker lib, GC, …). */
  selfByArea: ProfileRow[];
  /** Time with the area anywhere on the stack (callees included), busy samples only. */
  inclusiveByArea: ProfileRow[];
}

/** Where a frame's code lives: `node:http`, `fastify`, `@nestjs/core`, `broker libs/access`, `(garbage collector)`, … */
export function areaOf(functionName: string, url: string): string {
  if (url === '') {
    if (functionName.startsWith('(')) return functionName;
    return '(native)';
  }
  if (url.startsWith('node:')) {
    const internal = /^node:internal\/([^/]+)/.exec(url);
    return internal ? `node:internal/${internal[1]}` : url.replace(/\.js$/, '');
  }
  const packageMatch = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch) return packageMatch[1] as string;
  const broker = /\/(libs\/[^/]+|apps\/[^/]+)\//.exec(url);
  if (broker) return `broker ${broker[1]}`;
  if (url.includes('/bench/')) return 'bench';
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const packageMatch = /\/node_modules\/(.+)$/.exec(url);
  if (packageMatch) return packageMatch[1] as string;
  const broker = /\/((?:libs|apps)\/.+)$/.exec(url);
  if (broker) return broker[1] as string;
  return url.replace(/^file:\/\//, '');
}

/** Summarises a .cpuprofile: top self-time functions and where the time goes by package/module. */
export function summarizeProfile(file: string, options: { top?: number; lastMs?: number } = {}): ProfileSummary {
  const top = options.top ?? 15;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Each sample stands for the time until the next one. With `lastMs`, only the end of the profile counts
  // (the load, not the boot: the process is stopped right after the load ends).
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  const from = options.lastMs === undefined ? Number.NEGATIVE_INFINITY : profile.endTime - options.lastMs * 1000;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i] as number;
    if (at < from) continue;
    const duration = i + 1 < timeDeltas.length ? (timeDeltas[i + 1] as number) : 0;
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, duration));
  }

  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  const inclusiveByArea = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(functionName, url);
    const name = url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + us);
    const areas = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame && frame.functionName !== '(root)') areas.add(areaOf(frame.functionName, frame.url));
    }
    for (const a of areas) inclusiveByArea.set(a, (inclusiveByArea.get(a) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rows = (map: Map<string, number>, limit: number): ProfileRow[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percentBusy: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0 }));
  return {
    file,
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    topSelf: rows(selfByFunction, top),
    selfByArea: rows(selfByArea, top),
    inclusiveByArea: rows(inclusiveByArea, top),
  };
}
