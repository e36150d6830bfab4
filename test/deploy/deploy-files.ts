import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** Readers for the deployment artifacts (Dockerfile, .dockerignore, compose, Kubernetes manifests). */

export const ROOT = join(__dirname, '../..');
export const KUBERNETES_DIR = join(ROOT, 'deploy/kubernetes');

/** The parts of a Kubernetes object the tests look at; the rest is reached through `unknown` lookups. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent on a Kustomization only. */
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface ManifestFile {
  readonly file: string;
  readonly objects: readonly K8sObject[];
}

export function readText(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), 'utf8');
}

/** Every document of a multi-document YAML file; throws on the first syntax error. */
export function parseYamlDocuments(text: string, label: string): unknown[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${label}: ${document.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** Every `.yaml` file of deploy/kubernetes with its objects. */
export function readKubernetesManifests(): ManifestFile[] {
  return readdirSync(KUBERNETES_DIR)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((file) => ({ file, objects: parseYamlDocuments(readFileSync(join(KUBERNETES_DIR, file), 'utf8'), file) as K8sObject[] }));
}

/** The one object of `kind` named `name` among the manifests; throws when there is not exactly one. */
export function findObject(files: readonly ManifestFile[], kind: string, name?: string): K8sObject {
  const found = files.flatMap((f) => f.objects).filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** docker-compose.yml, with YAML merge keys (`<<: *anchor`) resolved as Compose resolves them. */
export function readCompose(): ComposeFile {
  return parse(readText('docker-compose.yml'), { merge: true }) as ComposeFile;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  readonly environment?: Record<string, string | number | boolean | null>;
  readonly network_mode?: string;
  readonly networks?: Record<string, { readonly aliases?: readonly string[] } | null>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: Record<string, { readonly condition?: string }>;
  readonly healthcheck?: { readonly test?: readonly string[] };
  readonly read_only?: boolean;
  readonly tmpfs?: readonly string[];
  readonly stop_grace_period?: string;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
}

/** A compose `environment:` map as strings (numbers and booleans as Compose passes them). */
export function composeEnv(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

export interface DockerInstruction {
  readonly instruction: string;
  readonly args: string;
  /** The stage (FROM … AS name, or its index) the instruction belongs to. */
  readonly stage: string;
}

/** A Dockerfile as instructions: comments dropped, continuation lines joined. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  let stage = '';
  let stageCount = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (!match) continue;
    const instruction = (match[1] ?? '').toUpperCase();
    const args = match[2] ?? '';
    if (instruction === 'FROM') {
      stage = /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? String(stageCount);
      stageCount += 1;
    }
    instructions.push({ instruction, args, stage });
  }
  return instructions;
}

/**
 * Whether Docker would send `path` (relative, `/`-separated) in the build context, by .dockerignore's rules:
 * the last pattern that matches the path or one of its parent directories decides, `!` re-includes.
 */
export function inBuildContext(path: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, '');
    const regex = dockerGlob(glob);
    if (candidates.some((candidate) => regex.test(candidate))) included = negated;
  }
  return included;
}

/** Docker's pattern syntax (Go's filepath.Match plus `**`): `*` also matches names starting with a dot. */
function dockerGlob(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? '';
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
