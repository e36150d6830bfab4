import { CronExpressionParser } from 'cron-parser';
import { CONFIG_DEFAULTS, CONSOLE_ID_PATTERN, CRON_MAX_LENGTH, MESSAGES } from './config.constants';
import type { RotationConfig, RotationSchedule, SecretRef } from './broker-config.interface';
import type { IssueCollector } from './config.issues';
import { duration, matching, type Rule } from './field.rules';
import { checkImsUrl } from './ims-url.rule';
import { MappingReader } from './mapping.reader';
import { parseDuration } from './duration.parser';

const ROTATION_KEYS = ['consoleCredentialId', 'consoleOrgId', 'schedule', 'every', 'window', 'retireAfter', 'maxRetireWait', 'consoleUrl'];

/** Rule: a cron expression of 5 fields, or 6 with seconds first, that cron-parser accepts (evaluated in UTC). */
export const cronExpression: Rule<string> = (value, path, issues) => {
  const text = typeof value === 'string' ? value.trim() : '';
  const fields = text.split(/\s+/).filter((field) => field.length > 0).length;
  let reason: string | undefined;
  if (typeof value !== 'string' || text.length === 0 || text.length > CRON_MAX_LENGTH) reason = `a string of 1-${CRON_MAX_LENGTH} characters`;
  else if (fields !== 5 && fields !== 6) reason = `found ${fields} fields`;
  else {
    try {
      CronExpressionParser.parse(text, { tz: 'UTC' }).next();
    } catch (error) {
      reason = error instanceof Error ? error.message.slice(0, 120) : 'unparsable';
    }
  }
  if (reason === undefined) return text;
  issues.add(path, MESSAGES.cron(reason));
  return undefined;
};

/** Rule: the Adobe I/O Management API origin, under the same https-or-loopback rule as `imsUrl`. */
export const consoleUrl: Rule<string> = (value, path, issues) => {
  const result = checkImsUrl(value);
  if ('origin' in result) return result.origin;
  issues.add(path, result.problem === MESSAGES.imsUrlNotString ? MESSAGES.consoleUrlNotString : result.problem);
  return undefined;
};

/** Rule for `rotation:` of an adobe-ims credential; `secret` (already read) must be an aws reference at AWSCURRENT. */
export function rotationSettings(secret: SecretRef | undefined): Rule<RotationConfig> {
  return (value, path, issues) => {
    const r = MappingReader.open(value, path, issues);
    if (r === undefined) return undefined;
    r.rejectUnknownKeys(ROTATION_KEYS);
    const before = issues.count;
    const consoleCredentialId = r.required('consoleCredentialId', consoleId);
    const consoleOrgId = r.required('consoleOrgId', consoleId);
    const schedule = readSchedule(r, issues);
    const windowMs = r.optional('window', duration, parseDuration(CONFIG_DEFAULTS.rotationWindow));
    const retireAfterMs = r.optional('retireAfter', duration, parseDuration(CONFIG_DEFAULTS.rotationRetireAfter));
    const maxRetireWaitMs = r.optional('maxRetireWait', duration, parseDuration(CONFIG_DEFAULTS.rotationMaxRetireWait));
    const url = r.optional('consoleUrl', consoleUrl, CONFIG_DEFAULTS.consoleUrl);
    if (retireAfterMs !== undefined && maxRetireWaitMs !== undefined && maxRetireWaitMs < retireAfterMs) {
      issues.add(r.pathOf('maxRetireWait'), MESSAGES.maxRetireWait);
    }
    // A wrong secret source is reported once, on `rotation` itself: that is the line to change or remove.
    if (secret?.source !== undefined && secret.source !== 'aws') issues.add(path, MESSAGES.rotationNeedsAws);
    else if (secret?.source === 'aws' && secret.versionStage !== 'AWSCURRENT') issues.add(path, MESSAGES.rotationNeedsCurrent);
    if (
      issues.count > before ||
      consoleCredentialId === undefined ||
      consoleOrgId === undefined ||
      schedule === null ||
      windowMs === undefined ||
      retireAfterMs === undefined ||
      maxRetireWaitMs === undefined ||
      url === undefined
    ) {
      return undefined;
    }
    return {
      consoleCredentialId,
      consoleOrgId,
      ...(schedule ? { schedule } : {}),
      windowMs,
      retireAfterMs,
      maxRetireWaitMs,
      consoleUrl: url,
    };
  };
}

const consoleId = matching(CONSOLE_ID_PATTERN, MESSAGES.consoleId);

/** `schedule: <cron>` or `every: <duration>`; undefined when neither (on demand only), null when invalid. */
function readSchedule(r: MappingReader, issues: IssueCollector): RotationSchedule | undefined | null {
  const hasCron = r.raw('schedule') !== undefined;
  const hasEvery = r.raw('every') !== undefined;
  if (hasCron && hasEvery) {
    issues.add(r.pathOf('every'), MESSAGES.scheduleExclusive);
    return null;
  }
  if (hasCron) {
    const expression = r.required('schedule', cronExpression);
    return expression === undefined ? null : { kind: 'cron', expression };
  }
  if (hasEvery) {
    const intervalMs = r.required('every', duration);
    return intervalMs === undefined ? null : { kind: 'every', intervalMs };
  }
  return undefined;
}
