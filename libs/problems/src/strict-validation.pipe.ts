import { type ArgumentMetadata, Injectable, ValidationPipe, type ValidationError } from '@nestjs/common';
import type * as ClassTransformer from 'class-transformer';
import type * as ClassValidator from 'class-validator';
import { InvalidRequestError } from './domain.error';

/**
 * Admin bodies are small, flat records. Deeper or bigger JSON is refused before class-transformer walks it
 * (it recurses, so a deeply nested body would otherwise cost a stack overflow and a 500).
 */
export const BODY_SHAPE_LIMITS = Object.freeze({ maxDepth: 8, maxContainers: 1_000, maxMessages: 10 });

const SAFE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/** A field name fit to echo: the DTO's own, or a caller's if it is short and plain. */
function safeName(name: string): string {
  return SAFE_NAME.test(name) ? name : '(unprintable name)';
}

/** One line per failed constraint, with paths; unknown fields are named only if plain, values never. */
function messagesOf(errors: readonly ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? safeName(error.property) : `${parent}.${safeName(error.property)}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) =>
      // class-validator quotes the (caller-chosen) field name in this one; rebuild it from the sanitised path.
      constraint === 'whitelistValidation' ? `unknown field '${path}'` : message,
    );
    return [...own, ...messagesOf(error.children ?? [], path)];
  });
}

function describe(errors: readonly ValidationError[]): string {
  const messages = messagesOf(errors);
  const shown = messages.slice(0, BODY_SHAPE_LIMITS.maxMessages);
  const more = messages.length - shown.length;
  return `The request body is invalid: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
}

/** Refuses bodies nested deeper or holding more objects/arrays than an admin DTO ever needs (iteratively). */
function assertBoundedShape(value: unknown): void {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  let containers = 0;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.node !== 'object' || item.node === null) continue;
    containers += 1;
    if (item.depth > BODY_SHAPE_LIMITS.maxDepth || containers > BODY_SHAPE_LIMITS.maxContainers) {
      throw new InvalidRequestError('The request body is nested too deeply or holds too many objects.', 'invalid_body');
    }
    for (const child of Object.values(item.node)) pending.push({ node: child, depth: item.depth + 1 });
  }
}

/** A package loaded synchronously when first needed (Node caches it). */
function loadPackage<T>(name: 'class-validator' | 'class-transformer'): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see StrictValidationPipe
  return require(name) as T;
}

/**
 * The pipe for admin request bodies (`@Body(StrictValidationPipe) dto: SomeDto`, or `@UsePipes`): bounded
 * shape, class-validator DTOs with unknown fields rejected (`whitelist`, `forbidNonWhitelisted`,
 * `forbidUnknownValues`), answered as a 400 `invalid_body` problem that never quotes a submitted value.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      // Passed in rather than imported lazily by Nest, so a missing package fails when the pipe is built (at
      // boot, for a route that uses it), not on a request. Loaded here rather than at the top of the module:
      // @broker/problems is imported by every broker, and class-validator brings validator and
      // libphonenumber-js (321 modules) that a broker whose routes use no such pipe never needs.
      validatorPackage: loadPackage<typeof ClassValidator>('class-validator'),
      transformerPackage: loadPackage<typeof ClassTransformer>('class-transformer'),
      exceptionFactory: (errors: ValidationError[]) => new InvalidRequestError(describe(errors), 'invalid_body'),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') assertBoundedShape(value);
    return super.transform(value, metadata);
  }
}
