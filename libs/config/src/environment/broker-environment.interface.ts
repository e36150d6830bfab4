import type { LOG_LEVELS } from '../config.constants';
import type { OutboundProxyEnvironment, TlsEnvironment } from './tls-environment.interface';
import type { HttpTimeouts } from './http-environment.parser';
import type { EventLoopBlock } from './test-hooks.parser';

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
  /** SHUTDOWN_DRAIN: how long readiness fails after SIGTERM before the server closes (default 5 s). */
  readonly shutdownDrainMs: number;
  /** SHUTDOWN_TIMEOUT: bound on closing (in-flight requests, locks, Redis) before exiting anyway (default 20 s). */
  readonly shutdownTimeoutMs: number;
  /** HTTP_HEADERS_TIMEOUT, HTTP_REQUEST_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT. */
  readonly http: HttpTimeouts;
  /** ROTATION_CHECK_INTERVAL: how often each instance checks rotation schedules and retirements (default 30 s). */
  readonly rotationCheckIntervalMs?: number;
  /** AUDIT_LOG: a file for the audit trail; absent, audit events go to stdout tagged `log_type: "audit"`. */
  readonly auditLogPath?: string;
  readonly redis?: RedisEnvironment;
  /** In the order given; required in fleet mode. */
  readonly tokenEncryptionKeys?: readonly TokenEncryptionKey[];
  /** TLS_*: serve HTTPS; absent, the port serves plain HTTP. */
  readonly tls?: TlsEnvironment;
  /** HEALTH_PORT: a second, plain-HTTP port serving only the health and metrics endpoints. */
  readonly healthPort?: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, applied to every outbound call. */
  readonly outboundProxy?: OutboundProxyEnvironment;
  /** BROKER_TEST_BLOCK_EVENT_LOOP: test-only fault injection (see test-hooks.parser.ts). */
  readonly testEventLoopBlock?: EventLoopBlock;
}
