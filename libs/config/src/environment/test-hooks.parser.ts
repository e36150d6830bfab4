import type { IssueCollector } from '../errors/config.issues';
import { tryParseDuration } from '../schema/duration.parser';

/**
 * BROKER_TEST_BLOCK_EVENT_LOOP=`<block>/<every>` (e.g. `1500ms/2s`): a test-only fault injection that
 * blocks this process's event loop for `block` every `every`, so fleet tests can starve an instance on
 * purpose and reproduce what a saturated machine does to timers and Redis round trips. Never set it in
 * production; the broker logs a warning at boot when it is set.
 */
export const TEST_BLOCK_EVENT_LOOP = 'BROKER_TEST_BLOCK_EVENT_LOOP';

/** How the test-only event-loop blocker runs. */
export interface EventLoopBlock {
  readonly blockMs: number;
  readonly everyMs: number;
}

const MESSAGE = 'must be <block>/<every>, two durations with block shorter than every (e.g. 1500ms/2s)';

/** Parses BROKER_TEST_BLOCK_EVENT_LOOP; undefined when unset, an issue when malformed. */
export function parseEventLoopBlock(text: string | undefined, issues: IssueCollector): EventLoopBlock | undefined {
  if (text === undefined) return undefined;
  const [block, every, ...rest] = text.split('/');
  const blockMs = block === undefined ? undefined : tryParseDuration(block);
  const everyMs = every === undefined ? undefined : tryParseDuration(every);
  if (rest.length > 0 || blockMs === undefined || everyMs === undefined || blockMs >= everyMs) {
    issues.add(TEST_BLOCK_EVENT_LOOP, MESSAGE);
    return undefined;
  }
  return { blockMs, everyMs };
}
