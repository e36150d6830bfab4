import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import type { SecretRef } from '@broker/config';
import { SecretSourceError } from './secret.errors';
import { type RawSecret, SecretSource } from './secret-source.port';

/** A secret file larger than this is a mistake (a wrong path), not a client secret or key. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Reads a secret from a file, e.g. a Kubernetes secret volume (`/run/secrets/...`). */
@Injectable()
export class FileSecretSource extends SecretSource {
  readonly kind = 'file' as const;

  async fetch(ref: SecretRef): Promise<RawSecret> {
    if (ref.source !== 'file') throw new SecretSourceError(`wrong source ${ref.source}`, true);
    let content: Buffer;
    try {
      content = await readFile(ref.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new SecretSourceError(`cannot read secret file ${ref.path} (${code})`, code === 'ENOENT' || code === 'EACCES');
    }
    if (content.length > MAX_SECRET_FILE_BYTES) {
      throw new SecretSourceError(`secret file ${ref.path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`, true);
    }
    return { value: content.toString('utf8') };
  }
}
