import { IssueCollector } from '../errors/config.issues';
import { HTTP_TIMEOUT_DEFAULTS, parseHttpTimeouts } from './http-environment.parser';

const parse = (env: Record<string, string>) => {
  const issues = new IssueCollector();
  const timeouts = parseHttpTimeouts((name) => env[name], issues);
  return { timeouts, issues: issues.count };
};

describe('parseHttpTimeouts', () => {
  it('defaults to 10 s for the head, 30 s for the request and 65 s of keep-alive', () => {
    expect(parse({})).toEqual({ timeouts: HTTP_TIMEOUT_DEFAULTS, issues: 0 });
    expect(HTTP_TIMEOUT_DEFAULTS).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 });
  });

  it('reads each variable', () => {
    expect(parse({ HTTP_HEADERS_TIMEOUT: '2s', HTTP_REQUEST_TIMEOUT: '5s', HTTP_KEEP_ALIVE_TIMEOUT: '1m' })).toEqual({
      timeouts: { headersTimeoutMs: 2_000, requestTimeoutMs: 5_000, keepAliveTimeoutMs: 60_000 },
      issues: 0,
    });
  });

  it.each([['HTTP_HEADERS_TIMEOUT', '500ms'], ['HTTP_REQUEST_TIMEOUT', '11m'], ['HTTP_KEEP_ALIVE_TIMEOUT', 'soon']])('refuses %s=%s', (name, value) => {
    expect(parse({ [name]: value }).issues).toBe(1);
  });

  it('refuses a head bound longer than the request bound', () => {
    expect(parse({ HTTP_HEADERS_TIMEOUT: '20s', HTTP_REQUEST_TIMEOUT: '10s' }).issues).toBe(1);
  });
});
