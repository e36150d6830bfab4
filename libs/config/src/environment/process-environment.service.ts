import { Injectable } from '@nestjs/common';

/**
 * Read access to environment variables for other libs (e.g. an `env` secret source), over a copy
 * taken once, so that this lib stays the only reader of `process.env`.
 */
@Injectable()
export class ProcessEnvironment {
  private readonly variables: ReadonlyMap<string, string>;

  constructor(env: NodeJS.ProcessEnv) {
    this.variables = new Map(
      Object.entries(env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const])),
    );
  }

  /** A copy of the current `process.env`. */
  static capture(): ProcessEnvironment {
    return new ProcessEnvironment(process.env);
  }

  /** The variable's value as captured, or undefined when it was not set. */
  get(name: string): string | undefined {
    return this.variables.get(name);
  }
}
