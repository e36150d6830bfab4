import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Server } from 'node:tls';
import type { Logger } from 'pino';
import { readTlsMaterial, type TlsEnvironment, type TlsMaterial } from '@broker/config';
import { secureContextOptions } from './tls-server.options';

export interface TlsFilesWatcherOptions {
  /** Re-read the files this often even without a file-system event (network volumes send none). Default 30 s. */
  readonly pollIntervalMs?: number;
  /** Wait this long after an event for the rest of a multi-file update. Default 200 ms. */
  readonly settleMs?: number;
}

const sameBytes = (a: Buffer | undefined, b: Buffer | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.equals(b));

function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  return sameBytes(a.cert, b.cert) && sameBytes(a.key, b.key) && sameBytes(a.ca, b.ca);
}

/**
 * Keeps a TLS server's certificate, key and client CAs in step with their files: cert-manager, SPIRE and
 * kubelet rotate them every few hours. The directories are watched, not the files, because kubelet replaces a
 * secret volume's content by swapping a symlink (`..data`), which a watch on the old file never reports; a
 * periodic re-read covers file systems without events. A new set is validated first: an unreadable,
 * malformed or mismatched one is logged (naming the file, never its content) and the old set stays in force.
 * New connections get the new set; connections already open keep theirs until they close.
 */
export class TlsFilesWatcher {
  private readonly watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private lastFailure = '';

  constructor(
    private readonly server: Server,
    private readonly tls: TlsEnvironment,
    private current: TlsMaterial,
    private readonly logger: Logger,
    private readonly options: TlsFilesWatcherOptions = {},
  ) {}

  start(): void {
    const files = [this.tls.certFile, this.tls.keyFile, ...(this.tls.clientCaFile === undefined ? [] : [this.tls.clientCaFile])];
    for (const dir of new Set(files.map((file) => dirname(file)))) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.schedule());
        watcher.on('error', (error) => this.logger.warn({ dir, err_code: (error as NodeJS.ErrnoException).code }, 'tls file watch failed; polling only'));
        this.watchers.push(watcher);
      } catch (error) {
        this.logger.warn({ dir, err_code: (error as NodeJS.ErrnoException).code }, 'tls file watch unavailable; polling only');
      }
    }
    this.poll = setInterval(() => this.check(), this.options.pollIntervalMs ?? 30_000);
    this.poll.unref();
  }

  stop(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
    clearInterval(this.poll);
    clearTimeout(this.settle);
  }

  /** Re-reads the files now; applies them when they changed and are valid. Returns whether a new set was applied. */
  check(): boolean {
    const result = readTlsMaterial(this.tls);
    if ('error' in result) {
      // One line per distinct failure, not one per poll, while a bad set sits on disk.
      const failure = result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      if (failure !== this.lastFailure) this.logger.error({ issues: result.issues, serving_fingerprint: this.current.fingerprint }, 'tls files invalid; keeping the certificate in use');
      this.lastFailure = failure;
      return false;
    }
    this.lastFailure = '';
    if (sameMaterial(result.material, this.current)) return false;
    this.server.setSecureContext(secureContextOptions(result.material));
    this.logger.info({ fingerprint: result.material.fingerprint, not_after: result.material.notAfter, previous_fingerprint: this.current.fingerprint }, 'tls certificate reloaded');
    this.current = result.material;
    return true;
  }

  private schedule(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.check(), this.options.settleMs ?? 200);
    this.settle.unref();
  }
}
