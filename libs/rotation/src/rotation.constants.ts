/** Scopes the I/O Management API needs on the token minted with the credential itself (Adobe's docs). */
export const MANAGEMENT_SCOPES: readonly string[] = Object.freeze([
  'AdobeID',
  'openid',
  'read_organizations',
  'additional_info.projectedProductContext',
  'additional_info.roles',
  'adobeio_api',
  'read_client_secret',
  'manage_client_secrets',
]);

/** The JSON field of a rotated Secrets Manager version that names its Adobe secret. */
export const ADOBE_UUID_FIELD = 'adobe_secret_uuid';
/** The JSON field of the client secret itself (what SecretsService reads). */
export const CLIENT_SECRET_FIELD = 'client_secret';

/** DI token of the module options (a plain value, hence a string token). */
export const ROTATION_OPTIONS = 'BROKER:ROTATION_OPTIONS';

export const ROTATION_TIMINGS = Object.freeze({
  /** The rotation lock is short-lived and extended while held, so a dead holder frees it within this time. */
  lockTtlMs: 5_000,
  /** Per call to the I/O Management API. */
  consoleTimeoutMs: 10_000,
  /** Secret listings are a few hundred bytes; anything much larger is an error page or an attack. */
  maxConsoleResponseBytes: 64 * 1024,
  /** A new secret may take a moment to be accepted everywhere at Adobe: the test step tries this often. */
  testAttempts: 3,
  testRetryDelayMs: 1_000,
  /** PutSecretValue right after Adobe's add: the plaintext exists only in memory, so try hard. */
  putAttempts: 3,
  putRetryDelayMs: 500,
  /** A cached management token is replaced this long before it expires. */
  managementTokenMarginMs: 5 * 60_000,
  /** Finished rotations kept per credential for `GET /admin/credentials/{id}/rotations`. */
  historySize: 20,
  /** Default scheduler tick; `ROTATION_CHECK_INTERVAL` overrides it. */
  defaultCheckIntervalMs: 30_000,
  /** The first tick after boot comes early, so an interrupted rotation resumes soon after a restart. */
  firstCheckDelayMs: 1_000,
  /** How often an idle credential's labels are re-read (crash recovery from labels, current secret age). */
  observeIntervalMs: 5 * 60_000,
  /** On shutdown, running rotations get this long to reach the end of their current step. */
  shutdownWaitMs: 5_000,
});

/** Audit actions, one per step, plus the trigger. */
export const ROTATION_AUDIT = Object.freeze({
  trigger: 'rotation.trigger',
  prepare: 'rotation.prepare',
  create: 'rotation.create',
  test: 'rotation.test',
  promote: 'rotation.promote',
  retire: 'rotation.retire',
  rollback: 'rotation.rollback',
} as const);

export const ROTATION_MESSAGES = Object.freeze({
  inProgress: (id: string) => `A rotation of credential '${id}' is already running; wait for it to finish (GET /admin/credentials/${id}/rotations).`,
  notConfigured: (id: string) => `Credential '${id}' has no rotation settings (rotation: in the config file).`,
  secretLimit: 'Adobe already holds two client secrets for this credential and neither may be deleted automatically (one is AWSCURRENT, the other is referenced by a Secrets Manager version); finish or clean up the earlier rotation first.',
  orphanTooYoung: (ageMs: number, retireAfterMs: number) =>
    `Adobe holds a second client secret that no Secrets Manager version references (an orphan from an interrupted rotation), but it is only ${Math.round(ageMs / 1000)} s old; it is deleted once it is older than retireAfter (${Math.round(retireAfterMs / 1000)} s). Retry later.`,
  currentUnknown: 'AWSCURRENT does not say which Adobe secret it is (no adobe_secret_uuid) and Adobe holds two; delete the unused one in the Developer Console, or store the secret as JSON with adobe_secret_uuid.',
  currentMissing: "The Adobe secret that AWSCURRENT names no longer exists at Adobe; fix AWSCURRENT before rotating.",
  foreignPending: 'AWSPENDING is on a Secrets Manager version the broker did not create; remove that label (or finish that rotation) first.',
  noCurrent: 'The secret has no AWSCURRENT version.',
  testFailed: (code: string) => `The new client secret did not mint a token (${code}); the rotation was rolled back.`,
  lockLost: 'The rotation lock was lost; another instance resumes the rotation.',
  managementToken: (code: string) => `A token for the I/O Management API could not be minted with the current secret (${code}).`,
  consoleRejected: (status: number, code: string | undefined) =>
    `The Adobe I/O Management API answered ${status}${code ? ` (${code})` : ''}; is the I/O Management API added to the project, and are the console org and credential ids right?`,
  consoleUnavailable: (reason: string) => `The Adobe I/O Management API is unavailable: ${reason}`,
  consoleBadResponse: (reason: string) => `The Adobe I/O Management API sent an unexpected response: ${reason}`,
  store: (operation: string, code: string) => `Secrets Manager ${operation} failed (${code}).`,
  retireSelf: 'Refusing to delete the Adobe secret that AWSCURRENT holds.',
  unsupportedProvider: 'Only adobe-ims credentials can be rotated.',
});
