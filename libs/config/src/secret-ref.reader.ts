import { isAbsolute, resolve } from 'node:path';
import { CONFIG_DEFAULTS, ENV_NAME_PATTERN, MESSAGES } from './config.constants';
import type { SecretRef } from './broker-config.interface';
import { matching, stringOfLength, type Rule } from './field.rules';
import { MappingReader, readVariant, type Variant } from './mapping.reader';

/** What reading needs beyond the YAML: relative secret file paths are anchored at the config file's directory. */
export interface ReadContext {
  readonly baseDir: string;
}

const filePath: Rule<string> = (value, path, issues) => {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes('\0')) return value;
  issues.add(path, MESSAGES.filePath);
  return undefined;
};

// One entry per source; the Record type makes a new member of SecretRef fail to compile until it is handled here.
const SECRET_SOURCES: Readonly<Record<SecretRef['source'], Variant<SecretRef, ReadContext>>> = {
  aws: {
    keys: ['secretId', 'versionStage'],
    read(r) {
      const secretId = r.required('secretId', stringOfLength(1, 2048, MESSAGES.secretId));
      const versionStage = r.optional(
        'versionStage',
        stringOfLength(1, 256, MESSAGES.versionStage),
        CONFIG_DEFAULTS.awsVersionStage,
      );
      if (secretId === undefined || versionStage === undefined) return undefined;
      return { source: 'aws', secretId, versionStage };
    },
  },
  file: {
    keys: ['path'],
    read(r, context) {
      const path = r.required('path', filePath);
      if (path === undefined) return undefined;
      return { source: 'file', path: isAbsolute(path) ? resolve(path) : resolve(context.baseDir, path) };
    },
  },
  env: {
    keys: ['name'],
    read(r) {
      const name = r.required('name', matching(ENV_NAME_PATTERN, MESSAGES.envName));
      return name === undefined ? undefined : { source: 'env', name };
    },
  },
};

/** Rule for `secret:`: a mapping naming a secret source; a scalar here is most likely the secret itself. */
export function secretRef(context: ReadContext): Rule<SecretRef> {
  return (value, path, issues) => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      issues.add(path, MESSAGES.clearTextSecret);
      return undefined;
    }
    const reader = MappingReader.open(value, path, issues);
    return reader && readVariant(reader, 'source', SECRET_SOURCES, context);
  };
}
