import type { EventLoopBlock } from '@broker/config';
import type { RootLogger } from '@broker/observability';

/**
 * Test-only fault injection (BROKER_TEST_BLOCK_EVENT_LOOP): spins the CPU for `blockMs` every `everyMs`, so
 * this process's timers fire late and its sockets are read late, as on a machine starved of CPU. The
 * phase is randomised so several starved brokers do not block in lockstep.
 */
export function startEventLoopBlocker(block: EventLoopBlock, logger: RootLogger): void {
  logger.warn({ block_ms: block.blockMs, every_ms: block.everyMs }, 'TEST FAULT INJECTION: blocking the event loop on purpose');
  const spin = (): void => {
    const until = performance.now() + block.blockMs;
    while (performance.now() < until) {
      // busy-wait: the point is to hold the event loop
    }
  };
  setTimeout(() => {
    spin();
    setInterval(spin, block.everyMs).unref();
  }, Math.floor(Math.random() * block.everyMs)).unref();
}
