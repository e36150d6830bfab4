import { awsErrorCause } from './aws-secrets-manager.client';

describe('awsErrorCause', () => {
  it("keeps the SDK's own words: plain Errors by message, typed ones as Name: message", () => {
    expect(awsErrorCause(new Error('Region is missing'))).toBe('Region is missing');
    expect(awsErrorCause(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }))).toBe('connect ECONNREFUSED 127.0.0.1:4566');
    const notFound = Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' });
    expect(awsErrorCause(notFound)).toBe("ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  });

  it('falls back to the code or the first nested error when the message is empty', () => {
    expect(awsErrorCause(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(awsErrorCause(new AggregateError([new Error('connect ECONNREFUSED ::1:4566')], ''))).toBe('AggregateError: connect ECONNREFUSED ::1:4566');
  });

  it('keeps one line, masks credentials in URLs and control characters, and bounds the length', () => {
    const cause = awsErrorCause(new Error(`getaddrinfo ENOTFOUND https://AKID:hunter2@sm.example\u0007\nsecond line`));
    expect(cause).toBe('getaddrinfo ENOTFOUND https://<redacted>@sm.example');
    expect(awsErrorCause(new Error('x'.repeat(1_000))).length).toBe(200);
  });
});
