import { z } from 'zod';
import { HEADER_NAME_PATTERN, HEADER_TEMPLATE_PATTERN, MESSAGES, RESERVED_HEADER_NAMES } from '../config.constants';
import { describeKind } from '../errors/config.issues';
import { errorFor, failedKeys, related, text } from './field.schemas';

const PLACEHOLDER = /\{([^{}]*)\}/g;

const headerName = text(HEADER_NAME_PATTERN, MESSAGES.headerName).refine((name) => !RESERVED_HEADER_NAMES.has(name.toLowerCase()), {
  error: (issue) => MESSAGES.headerReserved(String(issue.input).toLowerCase()),
});

/** A template whose placeholders are all in `allowed` and whose braces all belong to a placeholder. */
function template(allowed: readonly string[]) {
  return text(HEADER_TEMPLATE_PATTERN, MESSAGES.headerTemplate).superRefine((value, ctx) => {
    for (const [found, name] of value.matchAll(PLACEHOLDER)) {
      if (!allowed.includes(name ?? '')) ctx.addIssue({ code: 'custom', message: MESSAGES.headerPlaceholder(found, allowed) });
    }
    if (/[{}]/.test(value.replace(PLACEHOLDER, ''))) ctx.addIssue({ code: 'custom', message: MESSAGES.headerBrace });
  });
}

/**
 * `headers:` of a credential: header name -> template. Names are stored lower-case (HTTP header names are
 * case-insensitive); `allowed` are the placeholder names the provider can fill in.
 */
export function headerTemplates(allowed: readonly string[]) {
  return z
    .record(headerName, template(allowed), { error: errorFor((input) => MESSAGES.notMapping(describeKind(input))) })
    .superRefine(
      (headers, ctx) => {
        if (typeof headers !== 'object' || headers === null) return;
        const failed = failedKeys(ctx);
        const firstName = new Map<string, string>();
        for (const name of Object.keys(headers)) {
          if (failed.has(name)) continue;
          const lower = name.toLowerCase();
          const seen = firstName.get(lower);
          if (seen === undefined) firstName.set(lower, name);
          else ctx.addIssue({ code: 'custom', message: 'headerDuplicate', path: [name], params: related('headerDuplicate', [seen]) });
        }
        if (ctx.issues.length > 0) return;
        const templates = Object.values(headers);
        if (!templates.some((value) => value.includes('{access_token}'))) {
          ctx.addIssue({ code: 'custom', message: templates.length === 0 ? MESSAGES.emptyList : MESSAGES.headersNeedToken });
        }
      },
      // Duplicates are worth reporting beside other problems; the {access_token} rule only for otherwise valid headers.
      { when: () => true },
    )
    .transform((headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])))
    .meta({ description: `header name -> template; placeholders: ${allowed.map((name) => `{${name}}`).join(', ')}` });
}
