export { PROXY_LIMITS, PROXY_METHODS, PROXY_PREFIX, UPSTREAM_STATUS_HEADER } from './proxy.constants';
export { InvalidProxyPathError, RequestTooLargeError, UnknownUpstreamError, UpstreamTimeoutError, UpstreamUnreachableError } from './proxy.errors';
export { ProxyModule } from './proxy.module';
export { type ProxyTarget, parseProxyTarget } from './proxy-path';
export { type ProxyCall, ProxyService } from './proxy.service';
