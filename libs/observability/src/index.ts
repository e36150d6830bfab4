export { AuditLog, type AuditEvent, fingerprintOf } from './audit.log';
export { BrokerMetrics, type CredentialSnapshot, type CredentialSnapshotSource, type ReadinessSnapshot, type ReadinessSource } from './broker.metrics';
export type { CredentialHealth } from './credential-health.gauges';
export { installReadinessMetrics, ServiceHealthMetrics } from './service-health.metrics';
export { auditDestination, createRootLogger, type RootLogger } from './logger.factory';
export { type AccessLog, type AccessRecord, createAccessLog, createAccessRecorder, installHttpLogging } from './http-logging';
export { ObservabilityModule, ROOT_LOGGER } from './observability.module';
export { PinoNestLogger } from './pino-nest.logger';
export { currentRequestId, requestIdFrom, runOutsideRequest, runWithRequestId } from './request-context';
