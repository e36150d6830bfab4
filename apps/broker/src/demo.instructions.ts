/** What the demo prints once it serves: the commands a first-time user runs next. */
export interface DemoSetup {
  /** One broker, or the two of the fleet demo. */
  readonly urls: readonly string[];
  readonly imsUrl: string;
  readonly configPath: string;
  readonly apiKey: string;
  readonly adminKey: string;
  /** Set in the fleet demo. */
  readonly redisUrl?: string;
}

/** The instructions block, one command per line so it can be copied (and read by the demo's tests). */
export function demoInstructions(setup: DemoSetup): string {
  const [first = '', second] = setup.urls;
  const token = (base: string): string => `curl -s -H 'Authorization: Bearer ${setup.apiKey}' ${base}/v1/tokens/demo`;
  const lines = [
    '',
    second === undefined
      ? `Token broker demo running at ${first} (local IMS emulator at ${setup.imsUrl}, config ${setup.configPath})`
      : `Token broker fleet demo: brokers at ${first} and ${second}, sharing Redis at ${setup.redisUrl ?? ''} (local IMS emulator at ${setup.imsUrl}, config ${setup.configPath})`,
    'Fetch a token:',
    `  ${token(first)}`,
    'Headers for an Adobe API call:',
    `  curl -s -H 'Authorization: Bearer ${setup.apiKey}' ${first}/v1/tokens/demo/headers`,
    ...(second === undefined
      ? []
      : [
          'Both brokers serve the same token (the first one minted it and stored it in Redis; the second adopts it):',
          `  ${token(second)}`,
          `  for url in ${first} ${second}; do ${token('$url')} | grep -o '"access_token":"[^"]*"' | sha256sum; done   # two identical lines`,
        ]),
    `Admin caller (roles: [admin]) key, valid while this demo runs: ${setup.adminKey}`,
    'Status of every credential:',
    `  BROKER_URL=${first} BROKER_ADMIN_KEY=${setup.adminKey} ./dev brokerctl status`,
    `Readiness: curl -s ${first}/health/ready`,
    'Press Ctrl+C to stop.',
    '',
  ];
  return lines.join('\n');
}
