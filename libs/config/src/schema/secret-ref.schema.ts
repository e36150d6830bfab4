import { z } from 'zod';
import { CONFIG_DEFAULTS, ENV_NAME_PATTERN, MESSAGES } from '../config.constants';
import { describeKind } from '../errors/config.issues';
import { errorFor, mapping, text } from './field.schemas';
import { taggedUnion } from './tagged-union.schema';

function stringOfLength(min: number, max: number, message: string) {
  return z.string({ error: errorFor(message) }).min(min, { error: message }).max(max, { error: message });
}

// Adding a source: a mapping here, with `source` first; the union (and the SecretRef type) follow.
const awsSecret = mapping({
  source: z.literal('aws'),
  secretId: stringOfLength(1, 2048, MESSAGES.secretId).meta({ description: 'name or ARN of the secret in AWS Secrets Manager' }),
  versionStage: stringOfLength(1, 256, MESSAGES.versionStage).prefault(CONFIG_DEFAULTS.awsVersionStage),
});

const fileSecret = mapping({
  source: z.literal('file'),
  // Relative paths are anchored at the config file's directory when the file is loaded.
  path: z
    .string({ error: errorFor(MESSAGES.filePath) })
    .refine((path) => path.trim() !== '' && !path.includes('\0'), { error: MESSAGES.filePath })
    .meta({ description: 'a file holding the secret; relative to the config file' }),
});

const envSecret = mapping({
  source: z.literal('env'),
  name: text(ENV_NAME_PATTERN, MESSAGES.envName).meta({ description: 'an environment variable holding the secret' }),
});

/** `secret:`: a mapping naming where the secret lives; a scalar here is most likely the secret itself. */
export const secretRef = taggedUnion('source', [awsSecret, fileSecret, envSecret], (input) =>
  typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean'
    ? MESSAGES.clearTextSecret
    : MESSAGES.notMapping(describeKind(input)),
).meta({ description: 'where the client secret lives; never the secret itself' });
