export { createRootLogger, type RootLogger } from './logger.factory';
export { installHttpLogging } from './http-logging';
export { PinoNestLogger } from './pino-nest.logger';
export { currentRequestId, requestIdFrom, runWithRequestId } from './request-context';
