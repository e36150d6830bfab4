import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeServer, problemReply, tokenReply } from '../test/fake-broker';
import { TokenBrokerClient } from './client';

const JWT_A = 'eyJ.workload-a.sig';
const JWT_B = 'eyJ.workload-b.sig';

/**
 * A projected service-account token as the kubelet lays it out: `token` → `..data/token`, `..data` →
 * `..<timestamp>`; an update writes a new timestamped directory and swaps the `..data` symlink atomically.
 */
class ProjectedVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'client-token-file-'));
  private generation = 0;

  constructor(token: string) {
    this.writeGeneration(token);
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    symlinkSync('..data/token', join(this.dir, 'token'));
  }

  get path(): string {
    return join(this.dir, 'token');
  }

  rotate(token: string): void {
    this.writeGeneration(token);
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeGeneration(token: string): void {
    const name = `..2026_12_01_${++this.generation}`;
    mkdirSync(join(this.dir, name));
    writeFileSync(join(this.dir, name, 'token'), `${token}\n`);
    symlinkSync(name, join(this.dir, '..data_tmp'));
  }
}

describe('TokenBrokerClient with a tokenFile', () => {
  let broker: FakeServer;
  let volume: ProjectedVolume;
  let client: TokenBrokerClient | undefined;
  let serial = 0;
  /** The workload tokens the fake broker accepts. */
  let accepted: Set<string>;

  beforeEach(async () => {
    accepted = new Set([JWT_A]);
    broker = await FakeServer.start((r) => {
      const bearer = (r.headers.authorization ?? '').replace(/^Bearer /, '');
      return accepted.has(bearer) ? tokenReply(`tok-${++serial}`, 1) : problemReply(401, 'unauthenticated', 'The bearer token does not verify.');
    });
    volume = new ProjectedVolume(JWT_A);
  });
  afterEach(async () => {
    client?.close();
    await broker.close();
    volume.remove();
  });

  const bearers = () => broker.requests.map((r) => r.headers.authorization);

  it('presents the file content as the bearer token', async () => {
    client = new TokenBrokerClient({ baseUrl: broker.url, tokenFile: volume.path, minTtl: 0 });
    await client.getToken('a');
    expect(bearers()).toEqual([`Bearer ${JWT_A}`]);
  });

  it('uses a token the kubelet swapped in from the next broker request on', async () => {
    client = new TokenBrokerClient({ baseUrl: broker.url, tokenFile: volume.path, minTtl: 0 });
    await client.getToken('a');
    volume.rotate(JWT_B);
    accepted = new Set([JWT_B]);
    // The broker's tokens here live 1 s, so the next call goes to the broker again.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await client.getToken('a');
    expect(bearers()).toEqual([`Bearer ${JWT_A}`, `Bearer ${JWT_B}`]);
  });

  it('re-reads the file once more when the broker answers 401, and gives up when it has not changed', async () => {
    client = new TokenBrokerClient({ baseUrl: broker.url, tokenFile: volume.path, minTtl: 0 });
    accepted = new Set([JWT_B]);
    await expect(client.getToken('a')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(bearers()).toEqual([`Bearer ${JWT_A}`]);

    // Rotated between the read and the broker's answer: the second read finds the new token.
    let rotated = false;
    broker.handler = (r) => {
      if (!rotated) {
        rotated = true;
        volume.rotate(JWT_B);
      }
      const bearer = (r.headers.authorization ?? '').replace(/^Bearer /, '');
      return accepted.has(bearer) ? tokenReply(`tok-${++serial}`, 60) : problemReply(401, 'unauthenticated', 'no');
    };
    await expect(client.getToken('b')).resolves.toMatchObject({ accessToken: `tok-${serial + 1}` });
    expect(bearers().slice(1)).toEqual([`Bearer ${JWT_A}`, `Bearer ${JWT_B}`]);
  });

  it('fails with token_file_unreadable naming the path when the file was never readable', async () => {
    const missing = join(volume.dir, 'missing');
    client = new TokenBrokerClient({ baseUrl: broker.url, tokenFile: missing });
    await expect(client.getToken('a')).rejects.toMatchObject({ name: 'TokenBrokerError', code: 'token_file_unreadable', message: expect.stringContaining(`${missing} (ENOENT)`) });
    expect(broker.requests).toHaveLength(0);
  });

  it('keeps using the last token read when the file vanishes for a moment', async () => {
    client = new TokenBrokerClient({ baseUrl: broker.url, tokenFile: volume.path, minTtl: 0 });
    await client.getToken('a');
    rmSync(join(volume.dir, '..data'));
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await client.getToken('a');
    expect(bearers()).toEqual([`Bearer ${JWT_A}`, `Bearer ${JWT_A}`]);
  });
});
