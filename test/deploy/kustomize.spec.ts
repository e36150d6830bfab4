import { dirname } from 'node:path';
import { KUBERNETES_DIR, type K8sObject, parseYamlDocuments } from './deploy-files';
import { describeWithTool, hasTool, runTool } from './deploy-tools';

/**
 * deploy/kubernetes rendered as `kubectl apply -k` would apply it (`kubectl kustomize`, no cluster needed),
 * for what a cluster install needs beyond the single files: workload-JWT callers verify against the API
 * server's JWKS, so with no service-account token mounted the cluster CA must be mounted explicitly, Node
 * must trust it, and the NetworkPolicy must let the broker reach the API server.
 */

interface Volume {
  readonly name: string;
  readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string }[] };
}
interface Container {
  readonly name: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
}
interface PodSpec {
  readonly automountServiceAccountToken?: boolean;
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
}
interface EgressRule {
  readonly to?: readonly { readonly ipBlock?: { readonly cidr: string } }[];
  readonly ports?: readonly { readonly protocol?: string; readonly port: number }[];
}

const kubectl = hasTool('kubectl', ['version', '--client']);

describeWithTool(kubectl, 'kubectl', 'kubectl kustomize deploy/kubernetes', () => {
  let objects: K8sObject[];

  beforeAll(() => {
    objects = parseYamlDocuments(runTool('kubectl', ['kustomize', KUBERNETES_DIR]), 'kustomize output') as K8sObject[];
  });

  function one(kind: string): K8sObject {
    const found = objects.filter((o) => o.kind === kind);
    expect(found).toHaveLength(1);
    return found[0] as K8sObject;
  }

  it('renders every object into the token-broker namespace', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount'].sort(),
    );
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect({ kind: object.kind, namespace: (object.metadata as { namespace?: string }).namespace }).toEqual({ kind: object.kind, namespace: 'token-broker' });
    }
  });

  it('mounts the cluster CA from kube-root-ca.crt where NODE_EXTRA_CA_CERTS points, with no API token', () => {
    const pod = (one('Deployment')['spec'] as { template: { spec: PodSpec } }).template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const broker = pod.containers.find((c) => c.name === 'broker');
    const caFile = broker?.env?.find((v) => v.name === 'NODE_EXTRA_CA_CERTS')?.value ?? '';
    expect(caFile).toMatch(/^\/.+\/ca\.crt$/);

    const volume = pod.volumes?.find((v) => v.configMap?.name === 'kube-root-ca.crt');
    expect(volume?.configMap?.items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
    const mount = broker?.volumeMounts?.find((m) => m.name === volume?.name);
    expect(mount).toEqual({ name: volume?.name, mountPath: dirname(caFile), readOnly: true });
    // Not under the service-account token's path, which stays absent.
    expect(mount?.mountPath).not.toBe('/var/run/secrets/kubernetes.io/serviceaccount');
  });

  it('lets the broker reach the API server on 443 and 6443', () => {
    const policy = one('NetworkPolicy')['spec'] as { egress: readonly EgressRule[] };
    const apiServer = policy.egress.filter((rule) => {
      const ports = (rule.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`).sort();
      return ports.join(',') === 'TCP/443,TCP/6443';
    });
    expect(apiServer).toHaveLength(1);
    expect(apiServer[0]?.to?.[0]?.ipBlock?.cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
  });
});
