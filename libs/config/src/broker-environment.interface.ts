import type { LOG_LEVELS } from './config.constants';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** How to reach Redis; exactly one of `url`, `sentinels` (with `sentinelName`) or `clusterNodes` is set. */
export interface RedisEnvironment {
  readonly url?: string;
  readonly sentinels?: readonly RedisNode[];
  readonly sentinelName?: string;
  readonly clusterNodes?: readonly RedisNode[];
  readonly keyPrefix: string;
  /** REDIS_USERNAME / REDIS_PASSWORD: ACL credentials for Sentinel and Cluster nodes (a URL carries its own). */
  readonly username?: string;
  readonly password?: string;
  /** REDIS_TLS=true: TLS to Sentinel and Cluster nodes (a URL says `rediss://`). */
  readonly tls: boolean;
}

/** A 256-bit key for encrypting tokens at rest; `key` is redacted from JSON and `util.inspect` output. */
export interface TokenEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The validated, frozen process environment of the broker. */
export interface BrokerEnvironment {
  readonly port: number;
  readonly host: string;
  readonly configPath: string;
  readonly logLevel: LogLevel;
  /** Set in fleet mode (several brokers sharing tokens through Redis). */
  readonly redis?: RedisEnvironment;
  /** In the order given; required in fleet mode. */
  readonly tokenEncryptionKeys?: readonly TokenEncryptionKey[];
}
