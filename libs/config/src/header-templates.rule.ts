import {
  HEADER_NAME_PATTERN,
  HEADER_TEMPLATE_PATTERN,
  MESSAGES,
  RESERVED_HEADER_NAMES,
} from './config.constants';
import type { HeaderTemplates } from './broker-config.interface';
import { childPath, describeKind, type IssueCollector } from './config.issues';
import type { Rule } from './field.rules';
import { isMapping } from './mapping.reader';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Records what is wrong with one template; true when it is fine. */
function checkTemplate(
  template: unknown,
  allowed: readonly string[],
  path: string,
  issues: IssueCollector,
): template is string {
  if (typeof template !== 'string' || !HEADER_TEMPLATE_PATTERN.test(template)) {
    issues.add(path, MESSAGES.headerTemplate);
    return false;
  }
  let ok = true;
  for (const [found, name] of template.matchAll(PLACEHOLDER)) {
    if (allowed.includes(name ?? '')) continue;
    issues.add(path, MESSAGES.headerPlaceholder(found, allowed));
    ok = false;
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) {
    issues.add(path, MESSAGES.headerBrace);
    ok = false;
  }
  return ok;
}

/**
 * Rule for `headers:`: a mapping of header name to template. Names are stored lower-case (HTTP header
 * names are case-insensitive); `allowed` are the placeholder names the provider can fill in.
 */
export function headerTemplates(allowed: readonly string[]): Rule<HeaderTemplates> {
  return (value, path, issues) => {
    if (!isMapping(value)) {
      issues.add(path, MESSAGES.notMapping(describeKind(value)));
      return undefined;
    }
    const before = issues.count;
    const entries: [string, string][] = [];
    const firstPath = new Map<string, string>();
    for (const [name, template] of Object.entries(value)) {
      const namePath = childPath(path, name);
      if (!HEADER_NAME_PATTERN.test(name)) {
        issues.add(namePath, MESSAGES.headerName);
        continue;
      }
      const lower = name.toLowerCase();
      if (RESERVED_HEADER_NAMES.has(lower)) {
        issues.add(namePath, MESSAGES.headerReserved(lower));
        continue;
      }
      const seen = firstPath.get(lower);
      if (seen !== undefined) {
        issues.add(namePath, MESSAGES.headerDuplicate(seen));
        continue;
      }
      firstPath.set(lower, namePath);
      if (checkTemplate(template, allowed, namePath, issues)) entries.push([lower, template]);
    }
    if (issues.count !== before) return undefined;
    if (!entries.some(([, template]) => template.includes('{access_token}'))) {
      issues.add(path, entries.length === 0 ? MESSAGES.emptyList : MESSAGES.headersNeedToken);
      return undefined;
    }
    // fromEntries defines own properties, so even an odd name could not reach a prototype.
    return Object.fromEntries(entries);
  };
}
