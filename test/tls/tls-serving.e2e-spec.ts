import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, startBroker, startBrokerFromText, brokerYaml, type BrokerFileInput } from '../support/broker-app';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { MountedSecret } from '../support/mounted-secret';
import { type IssuedCertificate, opensslMissing, TestCa } from '../support/test-pki';
import { httpsGet } from '../support/tls-client';

const CLIENT_ID = 'e2e-tls-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const REPORTS_KEY = `reports-key-${randomBytes(16).toString('hex')}`;
const KEYED_KEY = `keyed-key-${randomBytes(16).toString('hex')}`;
const BILLING_URI = 'spiffe://cluster.local/ns/billing/sa/billing-svc';

const skipReason = opensslMissing();
// Skipped, with the reason printed, where the openssl CLI that makes the test certificates is missing.
const describeTls = skipReason === undefined ? describe : describe.skip;
if (skipReason !== undefined) console.warn(`TLS e2e tests skipped: ${skipReason}`);

describeTls('TLS serving and client-certificate callers', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let certs: Record<'server' | 'server2' | 'billing' | 'reports' | 'legacy' | 'stranger' | 'foreign', IssuedCertificate>;
  let mount: MountedSecret;
  let ims: ImsEmulator;
  let secretDir: string;
  let file: BrokerFileInput;
  const logs = new LogCapture();
  const audit = new LogCapture();
  const brokers: BrokerUnderTest[] = [];

  const start = async (env: Record<string, string>, tls = {}): Promise<BrokerUnderTest> => {
    const broker = await startBrokerFromText(brokerYaml(file), { env, logs, auditLogs: audit, tls });
    brokers.push(broker);
    return broker;
  };
  const tlsEnv = (clientAuth: string): Record<string, string> => ({
    TLS_CERT_FILE: mount.path('tls.crt'),
    TLS_KEY_FILE: mount.path('tls.key'),
    TLS_CLIENT_CA_FILE: mount.path('ca.crt'),
    TLS_CLIENT_AUTH: clientAuth,
  });
  const as = (cert: IssuedCertificate, headers: Record<string, string> = {}) => ({ ca: ca.cert, cert: cert.cert, key: cert.key, headers });
  const auditFor = (fingerprint: string) => audit.entries.filter((entry) => entry['certificate_fingerprint'] === fingerprint);

  beforeAll(async () => {
    ca = TestCa.create('broker');
    otherCa = TestCa.create('other');
    certs = {
      server: ca.issueServer('server'),
      server2: ca.issueServer('server2'),
      billing: ca.issue('billing', { subject: '/CN=billing-svc', uriSans: [BILLING_URI] }),
      reports: ca.issue('reports', { subject: '/CN=reports', dnsSans: ['reports.internal'] }),
      legacy: ca.issue('legacy', { subject: '/O=Platform/CN=legacy-svc' }),
      stranger: ca.issue('stranger', { subject: '/CN=stranger', uriSans: ['spiffe://cluster.local/ns/other/sa/stranger'] }),
      // Same identity as billing, but from a CA the broker does not trust.
      foreign: otherCa.issue('foreign', { subject: '/CN=billing-svc', uriSans: [BILLING_URI] }),
    };
    mount = new MountedSecret({ 'tls.crt': certs.server.cert, 'tls.key': certs.server.key, 'ca.crt': ca.cert });
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-tls-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    file = {
      credentials: [{ id: 'alpha', imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'file', path: join(secretDir, 'client-secret') } }],
      callers: [
        { id: 'billing', certificate: { uriSan: 'spiffe://cluster.local/ns/billing/*' }, credentials: ['alpha'] },
        { id: 'reports', certificate: { dnsSan: 'reports.internal' }, apiKey: REPORTS_KEY, credentials: ['alpha'] },
        { id: 'legacy', certificate: [{ subject: 'CN=legacy-svc,O=Platform' }], credentials: ['alpha'] },
        { id: 'keyed', apiKey: KEYED_KEY, credentials: ['alpha'] },
      ],
    };
  });

  afterAll(async () => {
    for (const broker of brokers) await broker.close();
    await ims?.close();
    mount?.dispose();
    ca?.dispose();
    otherCa?.dispose();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Neither a private key nor a whole certificate may reach a log line.
    const secrets = new Map<string, string>([['client secret', CLIENT_SECRET]]);
    for (const [name, cert] of Object.entries(certs)) {
      secrets.set(`${name} key`, cert.key.split('\n').slice(1, 3).join(''));
      secrets.set(`${name} cert`, cert.cert.split('\n').slice(1, 3).join(''));
    }
    expect([...logs.leaksOf(secrets), ...audit.leaksOf(secrets)]).toEqual([]);
  });

  describe('TLS_CLIENT_AUTH=optional', () => {
    let broker: BrokerUnderTest;
    beforeAll(async () => {
      broker = await start({ ...tlsEnv('optional'), HEALTH_PORT: '0' });
    });

    it('serves HTTPS (TLS 1.3 preferred) and refuses clients limited to TLS 1.1', async () => {
      const response = await httpsGet(`${broker.url}/health/live`, { ca: ca.cert });
      expect(response.status).toBe(200);
      expect(response.serverFingerprint).toBe(certs.server.fingerprint);
      const old = new Agent({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      await expect(httpsGet(`${broker.url}/health/live`, { ca: ca.cert, agent: old })).rejects.toThrow();
    });

    it('identifies a caller by a URI SAN glob, with no Authorization header, and audits how', async () => {
      const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing));
      expect(response.status).toBe(200);
      const lines = auditFor(certs.billing.fingerprint);
      expect(lines).toEqual([expect.objectContaining({ action: 'token.issue', caller_id: 'billing', auth: 'certificate' })]);
    });

    it('identifies callers by DNS SAN and by subject', async () => {
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.reports))).status).toBe(200);
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.legacy))).status).toBe(200);
      expect(auditFor(certs.legacy.fingerprint)).toEqual([expect.objectContaining({ caller_id: 'legacy', auth: 'certificate' })]);
    });

    it('still serves API keys without a certificate', async () => {
      const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, { ca: ca.cert, headers: { authorization: `Bearer ${KEYED_KEY}` } });
      expect(response.status).toBe(200);
      expect(audit.entries.filter((e) => e['caller_id'] === 'keyed' && e['action'] === 'token.issue').at(-1)).toMatchObject({ auth: 'api_key' });
    });

    it('answers 401 to a trusted certificate that matches no caller', async () => {
      const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.stranger));
      expect(response.status).toBe(401);
      expect(response.body['code']).toBe('unauthenticated');
      expect(auditFor(certs.stranger.fingerprint)).toEqual([expect.objectContaining({ action: 'access.denied', status: 401 })]);
    });

    it('answers 401 to a certificate from another CA, on every route', async () => {
      for (const path of ['/v1/tokens/alpha', '/health/live']) {
        const response = await httpsGet(`${broker.url}${path}`, as(certs.foreign));
        expect(response.status).toBe(401);
      }
      // With a valid API key beside it, too: the unverified certificate alone decides.
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.foreign, { authorization: `Bearer ${KEYED_KEY}` }))).status).toBe(401);
    });

    it('refuses an Authorization header naming another caller than the certificate, and accepts the same one', async () => {
      const mixed = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.reports, { authorization: `Bearer ${KEYED_KEY}` }));
      expect(mixed.status).toBe(401);
      const same = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.reports, { authorization: `Bearer ${REPORTS_KEY}` }));
      expect(same.status).toBe(200);
    });

    it('serves only probes and metrics on HEALTH_PORT, over plain HTTP', async () => {
      const healthUrl = broker.healthUrl as string;
      expect((await fetch(`${healthUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${healthUrl}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`${healthUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# HELP');
      const tokens = await fetch(`${healthUrl}/v1/tokens/alpha`, { headers: { authorization: `Bearer ${KEYED_KEY}` } });
      expect(tokens.status).toBe(404);
      expect(tokens.headers.get('content-type')).toBe('application/problem+json');
    });
  });

  describe('TLS_CLIENT_AUTH=require', () => {
    let broker: BrokerUnderTest;
    beforeAll(async () => {
      broker = await start(tlsEnv('require'));
    });

    it('serves a verified certificate', async () => {
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing))).status).toBe(200);
    });

    it('refuses in the handshake a client without a certificate, and one from another CA', async () => {
      await expect(httpsGet(`${broker.url}/health/live`, { ca: ca.cert })).rejects.toThrow();
      await expect(httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.foreign))).rejects.toThrow();
    });

    it('answers 401 to a trusted certificate that matches no caller', async () => {
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.stranger))).status).toBe(401);
    });
  });

  describe('TLS_CLIENT_AUTH=none', () => {
    it('serves API keys over HTTPS and does not ask for a certificate', async () => {
      const broker = await start({ TLS_CERT_FILE: mount.path('tls.crt'), TLS_KEY_FILE: mount.path('tls.key') });
      const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing, { authorization: `Bearer ${KEYED_KEY}` }));
      expect(response.status).toBe(200);
      // The certificate was never asked for, so the key decides and nothing certificate-related is audited.
      expect(auditFor(certs.billing.fingerprint).filter((e) => e['caller_id'] === 'keyed')).toEqual([]);
      expect((await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing))).status).toBe(401);
    });
  });

  describe('without TLS_CERT_FILE', () => {
    it('serves plain HTTP and warns once at boot that tokens travel unencrypted', async () => {
      const before = logs.entries.filter((e) => typeof e['msg'] === 'string' && (e['msg'] as string).includes('tokens travel unencrypted')).length;
      const broker = await startBroker({ file, logs });
      brokers.push(broker);
      expect(broker.url).toMatch(/^http:/);
      expect((await fetch(`${broker.url}/health/live`)).status).toBe(200);
      const after = logs.entries.filter((e) => typeof e['msg'] === 'string' && (e['msg'] as string).includes('tokens travel unencrypted')).length;
      expect(after - before).toBe(1);
    });
  });

  describe('live rotation of the TLS files', () => {
    let broker: BrokerUnderTest;
    beforeAll(async () => {
      broker = await start(tlsEnv('optional'), { watch: { pollIntervalMs: 60_000, settleMs: 50 } });
    });
    afterAll(() => mount.publish({ 'tls.crt': certs.server.cert, 'tls.key': certs.server.key, 'ca.crt': ca.cert }));

    it('serves the new certificate to new connections without a failed request, while old connections finish', async () => {
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.cert });
      const before = await httpsGet(`${broker.url}/health/live`, { ca: ca.cert, agent: keepAlive });
      expect(before.serverFingerprint).toBe(certs.server.fingerprint);

      // A bounded load loop: new connections, one after another, until the new certificate shows (at most 10 s).
      let stop = false;
      const seen: string[] = [];
      const failures: unknown[] = [];
      const loop = (async () => {
        for (let i = 0; i < 2_000 && !stop; i++) {
          try {
            const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing));
            if (response.status !== 200) failures.push(response.status);
            seen.push(response.serverFingerprint);
            if (response.serverFingerprint === certs.server2.fingerprint && seen.length > 5) stop = true;
          } catch (error) {
            failures.push(error);
          }
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      mount.publish({ 'tls.crt': certs.server2.cert, 'tls.key': certs.server2.key, 'ca.crt': ca.cert });
      const timeout = setTimeout(() => (stop = true), 10_000);
      await loop;
      clearTimeout(timeout);

      expect(failures).toEqual([]);
      expect(seen).toContain(certs.server.fingerprint);
      expect(seen.at(-1)).toBe(certs.server2.fingerprint);
      // The keep-alive connection opened before the rotation still works, on its original certificate.
      const after = await httpsGet(`${broker.url}/health/live`, { ca: ca.cert, agent: keepAlive });
      expect(after.status).toBe(200);
      expect(after.localPort).toBe(before.localPort);
      expect(after.serverFingerprint).toBe(certs.server.fingerprint);
      keepAlive.destroy();
      await logs.waitFor((line) => line.json?.['msg'] === 'tls certificate reloaded' && line.json['fingerprint'] === certs.server2.fingerprint);
    });

    it('keeps the serving pair when the replacement is broken, and logs which file', async () => {
      mount.publish({ 'tls.crt': certs.server.cert, 'tls.key': certs.server2.key, 'ca.crt': ca.cert });
      const logged = await logs.waitFor((line) => line.json?.['msg'] === 'tls files invalid; keeping the certificate in use');
      expect(JSON.stringify(logged.json)).toContain(mount.path('tls.key'));
      const response = await httpsGet(`${broker.url}/health/live`, { ca: ca.cert });
      expect(response.status).toBe(200);
      expect(response.serverFingerprint).toBe(certs.server2.fingerprint);
    });
  });

  describe('hostile handshakes', () => {
    it('keeps serving while 1,000 connections stall their handshakes, and drops them after the handshake timeout', async () => {
      const broker = await start(tlsEnv('optional'), { handshakeTimeoutMs: 1_000 });
      const port = Number(new URL(broker.url).port);
      const stalled: Socket[] = [];
      let closed = 0;
      // Bounded: 1,000 sockets on loopback that send nothing (or half a ClientHello) and wait.
      for (let i = 0; i < 1_000; i++) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.once('close', () => closed++);
        if (i % 2 === 0) socket.once('connect', () => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])));
        stalled.push(socket);
      }
      await Promise.all(stalled.map((socket) => new Promise((resolve) => (socket.connecting ? socket.once('connect', resolve) : resolve(undefined)))));
      const started = Date.now();
      const response = await httpsGet(`${broker.url}/v1/tokens/alpha`, as(certs.billing));
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      const deadline = Date.now() + 10_000;
      while (closed < stalled.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(stalled.length);
    });
  });
});
