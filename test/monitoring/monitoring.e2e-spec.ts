import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type BrokerUnderTest, brokerYaml, startBrokerFromText } from '../support/broker-app';
import { call } from '../support/broker-http';
import { type RedisServer, startRedis } from '../support/redis-harness';
import { findObject, parseYamlDocuments, readKubernetesManifests, ROOT } from '../deploy/deploy-files';
import { describeWithTool, hasTool, runTool } from '../deploy/deploy-tools';
import { declaredFamilies } from './metrics-text';
import { metricNamesIn, seriesOf } from './promql-names';

/**
 * deploy/kubernetes/monitoring: the rules parse and behave (promtool check rules / test rules on the
 * PrometheusRule's spec), the ServiceMonitor scrapes what the Service and the pods expose, and every metric
 * the alerts and the dashboard read is one a booted broker exports on /metrics (and every metric declared in
 * libs/observability appears there).
 */

const MONITORING = join(ROOT, 'deploy/kubernetes/monitoring');
const ruleObject = parse(readFileSync(join(MONITORING, 'prometheusrule.yaml'), 'utf8')) as {
  kind: string;
  spec: { groups: { name: string; rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string> }[] }[] };
};
const rules = ruleObject.spec.groups.flatMap((g) => g.rules);
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; definition?: string }[] };
};
const promtool = hasTool('promtool', ['--version']);
const kubectl = hasTool('kubectl', ['version', '--client']);

/** Every PromQL expression of the alerts and the dashboard, with where it comes from. */
function expressions(): { where: string; expr: string }[] {
  const fromRules = rules.map((r) => ({ where: `alert ${r.alert ?? r.record}`, expr: r.expr }));
  const fromPanels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.title}`, expr: t.expr })));
  const fromVariables = dashboard.templating.list.flatMap((v) => {
    const metric = /^label_values\((\w+)/.exec(v.definition ?? '')?.[1];
    return metric ? [{ where: `variable ${v.name}`, expr: metric }] : [];
  });
  return [...fromRules, ...fromPanels, ...fromVariables];
}

describe('alert rules and dashboard', () => {
  it('alert on each problem the runbooks name, with a severity and a runbook link', () => {
    expect(ruleObject.kind).toBe('PrometheusRule');
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'TokenBrokerClientSecretTooOld',
      'TokenBrokerCredentialRejected',
      'TokenBrokerReadinessFlapping',
      'TokenBrokerRedisUnreachable',
      'TokenBrokerRotationBlocked',
      'TokenBrokerRotationOverdue',
      'TokenBrokerTokenExpiringRefreshFailing',
    ]);
    const doc = readFileSync(join(ROOT, 'docs/monitoring.md'), 'utf8');
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels?.['severity']);
      // docs/monitoring.md has a section (GitHub anchor = lower-cased title) for each alert.
      expect({ alert: rule.alert, documented: doc.includes(`### ${rule.alert}`) }).toEqual({ alert: rule.alert, documented: true });
    }
  });

  it('has dashboard panels for expiry, refreshes, upstream latency, serving, locks and rotations', () => {
    const all = expressions().map((e) => e.expr).join('\n');
    for (const metric of [
      'broker_token_seconds_to_expiry',
      'broker_token_refreshes_total',
      'broker_upstream_request_duration_seconds_bucket',
      'broker_http_requests_total',
      'broker_http_request_duration_seconds_bucket',
      'broker_lock_acquisitions_total',
      'broker_secret_rotations_total',
    ]) {
      expect(dashboard.panels.some((p) => (p.targets ?? []).some((t) => t.expr.includes(metric)))).toBe(true);
    }
    expect(all.length).toBeGreaterThan(0);
  });

  it('scrape the Service the Deployment exposes, on the path the pods annotate', () => {
    const monitor = parse(readFileSync(join(MONITORING, 'servicemonitor.yaml'), 'utf8')) as {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    };
    const files = readKubernetesManifests();
    const service = findObject(files, 'Service', 'token-broker');
    const deployment = findObject(files, 'Deployment', 'token-broker');
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels?.[key]).toBe(value);
    const ports = (service['spec'] as { ports: { name: string }[] }).ports.map((p) => p.name);
    expect(ports).toContain(monitor.spec.endpoints[0]?.port);
    const annotations = (deployment['spec'] as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    expect(monitor.spec.endpoints[0]?.path).toBe(annotations['prometheus.io/path']);
  });
});

describeWithTool(kubectl, 'kubectl', 'kubectl kustomize deploy/kubernetes/monitoring', () => {
  it('renders the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap Grafana picks up', () => {
    const objects = parseYamlDocuments(runTool('kubectl', ['kustomize', MONITORING]), 'kustomize output') as { kind: string; metadata: { namespace?: string; labels?: Record<string, string> }; data?: Record<string, string> }[];
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'PrometheusRule', 'ServiceMonitor']);
    for (const object of objects) expect(object.metadata.namespace).toBe('token-broker');
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    expect(configMap?.metadata.labels?.['grafana_dashboard']).toBe('1');
    expect((JSON.parse(configMap?.data?.['token-broker.json'] ?? '{}') as { uid?: string }).uid).toBe(dashboard.uid);
  });
});

describeWithTool(promtool, 'promtool', 'promtool on the PrometheusRule spec', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: ruleObject.spec.groups }));
    copyFileSync(join(__dirname, 'alerts.promtool.yaml'), join(dir, 'alerts.promtool.yaml'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('check rules: every expression and template parses', () => {
    expect(runTool('promtool', ['check', 'rules', 'rules.yaml'], dir)).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('test rules: each alert fires on its problem and stays quiet on the healthy case', () => {
    expect(runTool('promtool', ['test', 'rules', 'alerts.promtool.yaml'], dir)).toContain('SUCCESS');
  });
});

describe('metric names the alerts and the dashboard use', () => {
  let redis: RedisServer;
  let broker: BrokerUnderTest;
  let exported: Map<string, string>;
  let secretDir: string;

  beforeAll(async () => {
    // Fleet mode, so the Redis gauge exists; one readiness probe, so the readiness gauge does.
    redis = await startRedis();
    secretDir = mkdtempSync(join(tmpdir(), 'monitoring-spec-'));
    writeFileSync(join(secretDir, 'secret'), 'monitoring-spec-secret');
    const yaml = brokerYaml({
      credentials: [{ id: 'c', imsUrl: 'http://127.0.0.1:9', clientId: 'c', secret: { source: 'file', path: join(secretDir, 'secret') } }],
      callers: [{ id: 'svc', apiKey: 'monitoring-spec-key-0123456789', credentials: ['c'] }],
    });
    broker = await startBrokerFromText(yaml, { logLevel: 'silent', env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}` } });
    await call(broker.url, '/health/ready');
    exported = declaredFamilies((await call(broker.url, '/metrics')).text);
  });

  afterAll(async () => {
    await broker?.close();
    await redis?.stop();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it('are all exported by a booted broker', () => {
    const series = new Set([...exported].flatMap(([family, type]) => seriesOf(family, type)));
    const used = expressions().flatMap(({ where, expr }) => metricNamesIn(expr).map((metric) => ({ where, metric })));
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((u) => !series.has(u.metric))).toEqual([]);
  });

  it('include every metric libs/observability declares, all of which the broker exports', () => {
    const dir = join(ROOT, 'libs/observability/src');
    const declared = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/['"](broker_[a-z0-9_]+)['"]/g)].map((m) => m[1] ?? ''));
    expect(declared).toEqual(expect.arrayContaining(['broker_token_seconds_to_expiry', 'broker_credential_rejected', 'broker_redis_up', 'broker_ready']));
    expect([...new Set(declared)].filter((name) => !exported.has(name))).toEqual([]);
  });
});
