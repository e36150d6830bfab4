import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { CONFIG_DEFAULTS, CONSOLE_ID_PATTERN, CRON_MAX_LENGTH, MESSAGES } from '../config.constants';
import { duration, errorFor, hasIssueAt, mapping, text } from './field.schemas';
import { consoleUrl } from './upstream-url.schemas';

/** Why `value` is not a cron expression of 5 fields (or 6 with seconds first) that cron-parser accepts in UTC. */
function cronProblem(value: string): string | undefined {
  const expression = value.trim();
  if (expression.length === 0 || expression.length > CRON_MAX_LENGTH) return `a string of 1-${CRON_MAX_LENGTH} characters`;
  const fields = expression.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return `found ${fields} fields`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' }).next();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 120) : 'unparsable';
  }
}

/** A cron expression, evaluated in UTC; returned trimmed. */
export const cronExpression = z
  .string({ error: errorFor(MESSAGES.cron(`a string of 1-${CRON_MAX_LENGTH} characters`)) })
  .transform((value, ctx) => {
    const problem = cronProblem(value);
    if (problem === undefined) return value.trim();
    ctx.issues.push({ code: 'custom', message: MESSAGES.cron(problem), input: value });
    return z.NEVER;
  })
  .meta({ description: 'a cron expression of 5 fields (or 6 with seconds first), in UTC' });

const consoleId = text(CONSOLE_ID_PATTERN, MESSAGES.consoleId);

/** `rotation:` of an adobe-ims credential (the need for an aws secret is checked by the credential). */
export const rotationSettings = mapping({
  consoleCredentialId: consoleId.meta({ description: 'the credential id in the Developer Console (/credentials/{id} in its URL)' }),
  consoleOrgId: consoleId.meta({ description: 'the Developer Console organization id (/projects/{orgId}/... in its URL), not the IMS org id' }),
  schedule: cronExpression.optional(),
  every: duration.optional().meta({ description: 'rotate when the current secret is this old (instead of schedule)' }),
  window: duration.prefault(CONFIG_DEFAULTS.rotationWindow),
  retireAfter: duration.prefault(CONFIG_DEFAULTS.rotationRetireAfter),
  maxRetireWait: duration.prefault(CONFIG_DEFAULTS.rotationMaxRetireWait),
  consoleUrl: consoleUrl.prefault(CONFIG_DEFAULTS.consoleUrl),
})
  .check(
    z.superRefine(
      (rotation, ctx) => {
        if (rotation.schedule !== undefined && rotation.every !== undefined) {
          ctx.addIssue({ code: 'custom', message: MESSAGES.scheduleExclusive, path: ['every'] });
        }
        if (!hasIssueAt(ctx, 'retireAfter') && !hasIssueAt(ctx, 'maxRetireWait') && rotation.maxRetireWait < rotation.retireAfter) {
          ctx.addIssue({ code: 'custom', message: MESSAGES.maxRetireWait, path: ['maxRetireWait'] });
        }
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  )
  .transform(({ consoleCredentialId, consoleOrgId, schedule, every, window, retireAfter, maxRetireWait, consoleUrl: url }) => ({
    consoleCredentialId,
    consoleOrgId,
    ...(schedule !== undefined && { schedule: { kind: 'cron' as const, expression: schedule } }),
    ...(every !== undefined && { schedule: { kind: 'every' as const, intervalMs: every } }),
    windowMs: window,
    retireAfterMs: retireAfter,
    maxRetireWaitMs: maxRetireWait,
    consoleUrl: url,
  }));
