import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseEnvironment } from '@broker/config';
import { type K8sObject, parseYamlDocuments, ROOT } from './deploy-files';

/**
 * deploy/kubernetes/overlays/tls (a kustomize Component) rendered on top of the base with the machine's
 * kubectl, then checked against the broker: its variables pass the broker's parser, probes use the health
 * port the broker is told to open, the certificate's secret is mounted as a directory where the variables say.
 */

/** Components need kustomize 3.7+; Debian's kubectl 1.20 bundles kustomize 2.0.3, which cannot render this overlay. */
function kubectlMissing(): string | undefined {
  let version: string;
  try {
    version = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return 'kubectl is not installed';
  }
  const match = /Kustomize Version: v(\d+)\.(\d+)/.exec(version);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  return major > 3 || (major === 3 && minor >= 7) ? undefined : `kubectl's kustomize (${match?.[0] ?? 'unknown'}) predates Components (3.7)`;
}

interface Container {
  readonly name: string;
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly startupProbe?: { readonly httpGet?: { readonly path: string; readonly port: string | number } };
  readonly livenessProbe?: { readonly httpGet?: { readonly path: string; readonly port: string | number } };
  readonly readinessProbe?: { readonly httpGet?: { readonly path: string; readonly port: string | number } };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string }[];
}

const skipReason = kubectlMissing();
// Skipped, with the reason printed, on machines without kubectl.
const describeOverlay = skipReason === undefined ? describe : describe.skip;
if (skipReason !== undefined) console.warn(`TLS overlay tests skipped: ${skipReason}`);

describeOverlay('deploy/kubernetes/overlays/tls', () => {
  let objects: K8sObject[];
  const find = (kind: string): K8sObject => {
    const found = objects.find((object) => object.kind === kind);
    if (found === undefined) throw new Error(`no ${kind} rendered`);
    return found;
  };
  const container = (): Container => {
    const spec = find('Deployment')['spec'] as { template: { spec: { containers: Container[] } } };
    return spec.template.spec.containers[0] as Container;
  };

  beforeAll(() => {
    // Kustomize refuses a component below its base's root, so the using kustomization sits beside deploy/kubernetes.
    const dir = mkdtempSync(join(ROOT, 'deploy', '.tls-overlay-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [../kubernetes]\ncomponents: [../kubernetes/overlays/tls]\n');
      const rendered = execFileSync('kubectl', ['kustomize', join('deploy', basename(dir))], { cwd: ROOT, encoding: 'utf8' });
      objects = parseYamlDocuments(rendered, 'rendered overlay') as K8sObject[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sets only variables the broker accepts, serving HTTPS with a health port', () => {
    const env = Object.fromEntries((container().env ?? []).flatMap((entry) => (entry.value === undefined ? [] : [[entry.name, entry.value]])));
    const parsed = parseEnvironment(env);
    expect(parsed.tls).toMatchObject({ clientAuth: 'optional' });
    expect(parsed.healthPort).toBe(8081);
  });

  it('points every probe at the health port, which the container declares', () => {
    const c = container();
    const health = c.ports?.find((port) => port.name === 'health');
    expect(health?.containerPort).toBe(8081);
    // Added to the base's ports, not in place of them.
    expect(c.ports?.some((port) => port.name === 'http')).toBe(true);
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(probe?.httpGet?.port).toBe('health');
      expect(probe?.httpGet?.path).toMatch(/^\/health\/(live|ready)$/);
    }
  });

  it("mounts the Certificate's secret as a directory (no subPath, so renewals arrive) where the variables point", () => {
    const certificate = find('Certificate')['spec'] as { secretName: string };
    const spec = find('Deployment')['spec'] as { template: { spec: { volumes: { name: string; secret?: { secretName: string } }[] } } };
    const volume = spec.template.spec.volumes.find((v) => v.secret?.secretName === certificate.secretName);
    expect(volume).toBeDefined();
    const mount = container().volumeMounts?.find((m) => m.name === volume?.name);
    expect(mount?.subPath).toBeUndefined();
    const env = Object.fromEntries((container().env ?? []).map((entry) => [entry.name, entry.value]));
    for (const name of ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CLIENT_CA_FILE']) expect(dirname(env[name] ?? '')).toBe(mount?.mountPath);
  });

  it('serves the Service on 443 and lets Prometheus reach the health port', () => {
    const service = find('Service')['spec'] as { ports: { port: number; targetPort: string }[] };
    expect(service.ports[0]).toMatchObject({ port: 443, targetPort: 'http' });
    const policy = find('NetworkPolicy')['spec'] as { ingress: { ports: { port: number }[] }[] };
    expect(policy.ingress.some((rule) => rule.ports.some((port) => port.port === 8081))).toBe(true);
  });
});
