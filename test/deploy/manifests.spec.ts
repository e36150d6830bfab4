import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_ENV_VARIABLES, parseBrokerConfig, parseEnvironment } from '@broker/config';
import { type BrokerUnderTest, startBroker } from '../support/broker-app';
import { call } from '../support/broker-http';
import { freePort } from '../support/free-port';
import { findObject, type K8sObject, KUBERNETES_DIR, type ManifestFile, parseDockerfile, readKubernetesManifests, readText } from './deploy-files';
import { allowedBrokerVariables, SAMPLE_ENCRYPTION_KEYS, SAMPLE_SECRET_VALUES } from './deployment-env';

/**
 * The Kubernetes manifests (deploy/kubernetes) checked against the app itself: probe paths are real routes
 * of the booted broker, ports agree, every variable set is one the broker (or the AWS SDK, or Node) reads and
 * its value passes the broker's own parser, the ConfigMap's config passes `parseBrokerConfig`.
 */

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}
interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly EnvVar[];
  readonly startupProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly securityContext?: Record<string, unknown>;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
}
interface PodSpec {
  readonly serviceAccountName?: string;
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: Record<string, unknown>;
  readonly topologySpreadConstraints?: readonly { readonly topologyKey: string; readonly labelSelector?: { readonly matchLabels?: Record<string, string> } }[];
  readonly containers: readonly Container[];
  readonly volumes?: readonly {
    readonly name: string;
    readonly emptyDir?: Record<string, unknown>;
    readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
  }[];
}
interface DeploymentSpec {
  readonly replicas: number;
  readonly selector: { readonly matchLabels: Record<string, string> };
  readonly template: { readonly metadata: { readonly labels: Record<string, string>; readonly annotations?: Record<string, string> }; readonly spec: PodSpec };
}

const files: ManifestFile[] = readKubernetesManifests();
const deployment = findObject(files, 'Deployment', 'token-broker');
const deploymentSpec = deployment['spec'] as DeploymentSpec;
const pod = deploymentSpec.template.spec;
const podLabels = deploymentSpec.template.metadata.labels;
const container = pod.containers.find((c) => c.name === 'broker') as Container;
const configMap = findObject(files, 'ConfigMap', 'token-broker-config');
const configYaml = (configMap['data'] as Record<string, string>)['broker.yaml'] ?? '';

/** The container's env with Secret references replaced by valid stand-ins. */
function resolvedEnv(): Record<string, string> {
  return Object.fromEntries(
    (container.env ?? []).map((v) => {
      const key = v.valueFrom?.secretKeyRef?.key;
      return [v.name, v.value ?? (key === undefined ? '' : (SAMPLE_SECRET_VALUES[key] ?? ''))];
    }),
  );
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function probes(): { name: string; path: string; port: string | number }[] {
  return (['startupProbe', 'livenessProbe', 'readinessProbe'] as const).map((name) => {
    const httpGet = container[name]?.httpGet;
    if (!httpGet) throw new Error(`${name} is not an httpGet probe`);
    return { name, ...httpGet };
  });
}

/** The container port a probe or Service names, by name or number. */
function containerPort(port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

describe('deploy/kubernetes', () => {
  it('parses, and kustomization.yaml lists every manifest but the Secret template', () => {
    const kustomization = findObject(files, 'Kustomization');
    const resources = kustomization['resources'] as string[];
    const manifests = files.map((f) => f.file).filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...resources].sort()).toEqual(manifests);
    for (const file of files) {
      expect(file.objects.length).toBeGreaterThan(0);
      for (const object of file.objects) {
        expect(object).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String) });
        if (object.kind !== 'Kustomization') expect(object.metadata.name).toMatch(/^[a-z0-9-]+$/);
      }
    }
    expect(resources).not.toContain('secret.example.yaml');
    const images = kustomization['images'] as { name: string }[];
    expect(images.map((i) => i.name)).toContain(container.image.split(':')[0]);
  });

  it('runs 3 replicas with a shutdown budget the app fits in', () => {
    expect(deploymentSpec.replicas).toBe(3);
    expect(selects(deploymentSpec.selector.matchLabels, podLabels)).toBe(true);
    const env = parseEnvironment(resolvedEnv());
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThanOrEqual(30);
    // Drain, then close, then a margin for the process to exit before SIGKILL.
    expect(grace * 1000).toBeGreaterThanOrEqual(env.shutdownDrainMs + env.shutdownTimeoutMs + 5_000);
  });

  it('sets only variables the broker, the AWS SDK or Node read, with values the broker accepts', () => {
    const allowed = allowedBrokerVariables(configYaml);
    const names = (container.env ?? []).map((v) => v.name);
    expect(names.filter((n) => !allowed.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    const env = parseEnvironment(resolvedEnv());
    expect(env.redis).toBeDefined();
    expect(env.tokenEncryptionKeys).toHaveLength(1);
  });

  it('lists in BROKER_ENV_VARIABLES exactly what parseEnvironment reads', () => {
    const read = new Set<string>();
    const scenarios: Record<string, string>[] = [
      {},
      { REDIS_URL: 'redis://127.0.0.1:6379', TOKEN_ENCRYPTION_KEYS: SAMPLE_ENCRYPTION_KEYS },
      { REDIS_SENTINELS: '127.0.0.1:26379', TOKEN_ENCRYPTION_KEYS: SAMPLE_ENCRYPTION_KEYS },
      { REDIS_CLUSTER_NODES: '127.0.0.1:7000', TOKEN_ENCRYPTION_KEYS: SAMPLE_ENCRYPTION_KEYS },
    ];
    for (const scenario of scenarios) {
      const spy = new Proxy(scenario, {
        get(target, property) {
          if (typeof property === 'string') read.add(property);
          return target[property as string];
        },
      });
      parseEnvironment(spy);
    }
    expect([...read].sort()).toEqual([...BROKER_ENV_VARIABLES].sort());
  });

  it('takes secret values from the Secret the template describes, never inline', () => {
    const secret = parseYamlSecretTemplate();
    const refs = (container.env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef] : []));
    expect(refs.map((r) => r.key).sort()).toEqual(['REDIS_URL', 'TOKEN_ENCRYPTION_KEYS']);
    for (const ref of refs) {
      expect(ref.name).toBe(secret.metadata.name);
      expect(Object.keys(secret['stringData'] as Record<string, string>)).toContain(ref.key);
    }
    // The inline variables hold nothing secret.
    const inline = (container.env ?? []).filter((v) => v.value !== undefined).map((v) => v.name);
    expect(inline).not.toEqual(expect.arrayContaining(['REDIS_URL', 'TOKEN_ENCRYPTION_KEYS', 'REDIS_PASSWORD', 'AWS_SECRET_ACCESS_KEY']));
  });

  it('mounts the ConfigMap where BROKER_CONFIG points, and its config validates', () => {
    const configPath = resolvedEnv()['BROKER_CONFIG'] ?? '';
    const volume = pod.volumes?.find((v) => v.configMap?.name === configMap.metadata.name);
    const mount = container.volumeMounts?.find((m) => m.name === volume?.name);
    const item = volume?.configMap?.items?.find((i) => i.key === 'broker.yaml');
    expect(mount?.readOnly).toBe(true);
    expect(`${mount?.mountPath}/${item?.path}`).toBe(configPath);
    const config = parseBrokerConfig(configYaml, configPath);
    expect(config.callers.some((c) => c.roles.includes('admin'))).toBe(true);
  });

  it('listens where the probes, the Service, the metrics annotation and the NetworkPolicy expect', () => {
    const env = parseEnvironment(resolvedEnv());
    expect(env.port).toBe(8080);
    expect(parseEnvironment({}).port).toBe(8080); // the broker's default, should PORT be dropped
    expect(containerPort('http')).toBe(env.port);
    for (const probe of probes()) expect(containerPort(probe.port)).toBe(env.port);

    const service = findObject(files, 'Service', 'token-broker');
    const spec = service['spec'] as { type: string; selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] };
    expect(spec.type).toBe('ClusterIP');
    expect(selects(spec.selector, podLabels)).toBe(true);
    expect(spec.ports).toHaveLength(1);
    expect(spec.ports[0]?.port).toBe(80);
    expect(containerPort(spec.ports[0]?.targetPort)).toBe(env.port);

    expect(Number(deploymentSpec.template.metadata.annotations?.['prometheus.io/port'])).toBe(env.port);
    const policy = findObject(files, 'NetworkPolicy')['spec'] as { podSelector: { matchLabels: Record<string, string> }; ingress: { ports: { port: number }[] }[] };
    expect(selects(policy.podSelector.matchLabels, podLabels)).toBe(true);
    for (const rule of policy.ingress) expect(rule.ports.map((p) => p.port)).toEqual([env.port]);
  });

  it('runs locked down: non-root 10001, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits).toMatchObject({ memory: expect.any(String) });
    // The image's user is the same uid (runAsNonRoot checks the number).
    const user = parseDockerfile(readText('Dockerfile')).filter((i) => i.instruction === 'USER').at(-1);
    expect(user?.args.split(':')[0]).toBe('10001');
    expect(pod.topologySpreadConstraints?.map((t) => t.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const constraint of pod.topologySpreadConstraints ?? []) expect(selects(constraint.labelSelector?.matchLabels, podLabels)).toBe(true);
  });

  it('has a PodDisruptionBudget (minAvailable 2) and an HPA (CPU 70 %, 3-10) on the same pods', () => {
    const pdb = findObject(files, 'PodDisruptionBudget')['spec'] as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    expect(pdb.minAvailable).toBe(2);
    expect(selects(pdb.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.minAvailable).toBeLessThan(deploymentSpec.replicas);

    const hpa = findObject(files, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa['spec']).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
  });

  it('limits egress to DNS, Redis, HTTPS and the API server (443 or 6443)', () => {
    const policy = findObject(files, 'NetworkPolicy')['spec'] as { policyTypes: string[]; egress: { ports: { protocol: string; port: number }[] }[] };
    expect(policy.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    const ports = policy.egress.flatMap((rule) => rule.ports.map((p) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(['TCP/443', 'TCP/443', 'TCP/53', 'TCP/6379', 'TCP/6443', 'UDP/53']);
  });

  it('runs as an IRSA service account whose policy covers the configured secrets', () => {
    const account = findObject(files, 'ServiceAccount');
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/.+/);

    const policy = JSON.parse(readFileSync(join(KUBERNETES_DIR, 'iam-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[]; Resource: string }[];
    };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:ListSecretVersionIds',
        'kms:Decrypt',
      ]),
    );
    const region = resolvedEnv()['AWS_REGION'];
    const readable = policy.Statement.filter((s) => s.Action.includes('secretsmanager:GetSecretValue')).map((s) => s.Resource);
    const config = parseBrokerConfig(configYaml, '/etc/token-broker/broker.yaml');
    for (const credential of config.credentials) {
      if (credential.secret.source !== 'aws') continue;
      const arn = `arn:aws:secretsmanager:${region}:123456789012:secret:${credential.secret.secretId}-AbCdEf`;
      expect(readable.some((pattern) => globToRegExp(pattern).test(arn))).toBe(true);
    }
  });
});

describe('probe and health-check paths against the real app', () => {
  let broker: BrokerUnderTest;
  let workdir: string;

  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'deploy-spec-'));
    const secretFile = join(workdir, 'client-secret');
    writeFileSync(secretFile, 'probe-client-secret', { mode: 0o600 });
    broker = await startBroker({
      logLevel: 'silent',
      file: {
        credentials: [{ id: 'probe', imsUrl: 'http://127.0.0.1:9', clientId: 'probe-client', secret: { source: 'file', path: secretFile } }],
        callers: [{ id: 'probe-caller', apiKey: 'probe-caller-api-key', credentials: ['probe'] }],
      },
    });
  });

  afterAll(async () => {
    await broker.close();
    rmSync(workdir, { recursive: true, force: true });
  });

  it('answers every Kubernetes probe path with 200 or 503, never 404', async () => {
    expect(probes().map((p) => p.path)).toEqual(['/health/live', '/health/live', '/health/ready']);
    for (const probe of probes()) {
      const { status } = await call(broker.url, probe.path);
      expect({ probe: probe.name, answered: status === 200 || status === 503 }).toEqual({ probe: probe.name, answered: true });
    }
    // The check can fail: an unknown path is a 404.
    expect((await call(broker.url, '/health/nope')).status).toBe(404);
  });

  it('serves the scrape path the pod annotations name', async () => {
    const path = deploymentSpec.template.metadata.annotations?.['prometheus.io/path'] ?? '';
    const response = await call(broker.url, path);
    expect(response.status).toBe(200);
  });

  it("passes the Dockerfile's HEALTHCHECK, run exactly as Docker runs it", async () => {
    const healthcheck = parseDockerfile(readText('Dockerfile')).find((i) => i.instruction === 'HEALTHCHECK');
    const exec = /CMD\s+(\[.*\])\s*$/.exec(healthcheck?.args ?? '');
    const argv = JSON.parse(exec?.[1] ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain('/health/live');
    const port = new URL(broker.url).port;
    expect(await runExitCode(argv, { PORT: port })).toBe(0);
    expect(await runExitCode(argv, { PORT: String(await freePort()) })).toBe(1);
  });
});

function parseYamlSecretTemplate(): K8sObject {
  return findObject(readKubernetesManifests(), 'Secret', 'token-broker-env');
}

/** IAM's `*` wildcard as a regular expression. */
function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Runs `argv` (argv[0] = node) with a clean environment and resolves with its exit code. */
function runExitCode(argv: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });
}
