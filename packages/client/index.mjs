// ESM entry: re-exports the CommonJS build, so `import` and `require` share one module instance (and
// `instanceof TokenBrokerError` holds whichever way the error was loaded).
import client from './dist/index.js';

export const { TokenBrokerClient, TokenBrokerError } = client;
