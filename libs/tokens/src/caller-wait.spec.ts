import { UpstreamUnavailableError } from '@broker/issuers';
import { waitAtMost } from './caller-wait';

describe('waitAtMost', () => {
  it('passes the result through when the refresh is quick enough', async () => {
    await expect(waitAtMost(Promise.resolve('token'), 1_000)).resolves.toBe('token');
  });

  it('gives up with a 503 and Retry-After past the wait, and the refresh carries on', async () => {
    let finish: (value: string) => void = () => undefined;
    const refresh = new Promise<string>((resolve) => (finish = resolve));
    const error = await waitAtMost(refresh, 20).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as UpstreamUnavailableError).status).toBe(503);
    expect((error as UpstreamUnavailableError).headers?.['retry-after']).toBe('1');
    finish('late token');
    await expect(refresh).resolves.toBe('late token');
  });

  it('does not leave a late refresh failure unhandled', async () => {
    const refresh = new Promise<string>((_, reject) => setTimeout(() => reject(new Error('late failure')), 30));
    await expect(waitAtMost(refresh, 5)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});
