/**
 * A directory laid out like a Kubernetes secret volume: `tls.crt -> ..data/tls.crt`, `..data -> ..<version>`.
 * `publish` writes a new version and swaps `..data` by renaming a symlink over it, exactly as kubelet does
 * when cert-manager renews a certificate, so a watcher on the old files themselves would see nothing.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class MountedSecret {
  readonly dir = mkdtempSync(join(tmpdir(), 'mounted-secret-'));
  private version = 0;

  constructor(files: Readonly<Record<string, string>>) {
    this.publish(files);
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(this.dir, name));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Atomically replaces every file's content (one symlink swap). */
  publish(files: Readonly<Record<string, string>>): void {
    const versionDir = `..v${++this.version}`;
    mkdirSync(join(this.dir, versionDir));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, versionDir, name), content, { mode: 0o600 });
    symlinkSync(versionDir, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
