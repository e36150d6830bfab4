import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { InvalidRequestError } from './domain.error';
import { StrictValidationPipe } from './strict-validation.pipe';

class ReloadDto {
  @IsString()
  reason!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60)
  delaySeconds?: number;
}

describe('StrictValidationPipe', () => {
  const pipe = new StrictValidationPipe();
  const body = { type: 'body' as const, metatype: ReloadDto };
  const rejection = async (value: unknown): Promise<InvalidRequestError> => {
    try {
      await pipe.transform(value, body);
    } catch (error) {
      if (error instanceof InvalidRequestError) return error;
      throw error;
    }
    throw new Error('expected a rejection');
  };

  it('turns a valid body into the DTO', async () => {
    const dto: unknown = await pipe.transform({ reason: 'rotate', delaySeconds: 5 }, body);
    expect(dto).toBeInstanceOf(ReloadDto);
    expect(dto).toEqual({ reason: 'rotate', delaySeconds: 5 });
  });

  it('rejects unknown fields as a 400 invalid_body, naming plain names only', async () => {
    const error = await rejection({ reason: 'x', extra: 1, 'bad\nname{cred:x}': 2 });
    expect(error).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(error.message).toContain("unknown field 'extra'");
    expect(error.message).toContain("unknown field '(unprintable name)'");
    expect(error.message).not.toContain('{cred:x}');
  });

  it('never quotes a submitted value', async () => {
    const secret = 'sup3r-secret-value-123';
    const error = await rejection({ reason: 42, delaySeconds: secret });
    expect(error.message).not.toContain(secret);
    expect(error.message).toMatch(/reason must be a string/);
  });

  it.each([
    ['a missing body', undefined],
    ['an array', [{ reason: 'x' }]],
    ['a string', 'reason'],
  ])('rejects %s', async (_what, value) => {
    expect(await rejection(value)).toMatchObject({ status: 400, code: 'invalid_body' });
  });

  it('rejects deeply nested JSON before walking it', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i += 1) deep = { a: deep };
    expect(await rejection({ reason: 'x', nested: deep })).toMatchObject({ code: 'invalid_body', message: expect.stringMatching(/nested too deeply/) });
    const wide = { reason: 'x', items: Array.from({ length: 2_000 }, () => ({})) };
    expect(await rejection(wide)).toMatchObject({ code: 'invalid_body' });
  });

  it('caps the number of messages', async () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, i]));
    const error = await rejection({ reason: 'x', ...many });
    expect(error.message).toMatch(/and \d+ more\.$/);
  });
});
