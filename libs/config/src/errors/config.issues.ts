import { ROOT_PATH } from '../config.constants';
import { ConfigValidationError, type ConfigIssue } from './config-validation.error';

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Path of `key` below `parent`: `credentials[0]`, `credentials[0].secret`; odd keys are quoted. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Accumulates issues so validation can keep going and report everything at once. */
export class IssueCollector {
  private readonly issues: ConfigIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path: path === '' ? ROOT_PATH : path, message });
  }

  get count(): number {
    return this.issues.length;
  }

  /** The error listing everything collected, to throw once validation of `source` is done. */
  toError(source: string, order?: (a: ConfigIssue, b: ConfigIssue) => number): ConfigValidationError {
    return new ConfigValidationError(source, order ? [...this.issues].sort(order) : this.issues);
  }
}

/** Short description of a YAML value's kind for messages; never the value itself, which may be a secret. */
export function describeKind(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}
