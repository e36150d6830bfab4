import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './domain.error';
import { PROBLEM_CONTENT_TYPE, type Problem, problemOf } from './problem';

/** Codes for HTTP errors raised by the framework itself (routing, parsing, limits). */
const HTTP_CODES: Readonly<Record<number, [code: string, title: string]>> = {
  400: ['invalid_request', 'Invalid request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  406: ['not_acceptable', 'Not acceptable'],
  408: ['request_timeout', 'Request timeout'],
  413: ['payload_too_large', 'Payload too large'],
  414: ['uri_too_long', 'URI too long'],
  415: ['unsupported_media_type', 'Unsupported media type'],
  429: ['rate_limited', 'Too many requests'],
  431: ['headers_too_large', 'Request header fields too large'],
};

/** Fastify errors whose messages quote the request path, with the detail to answer instead. */
const PATH_QUOTING_FASTIFY_ERRORS: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'The request path is not valid percent-encoded UTF-8.',
  FST_ERR_MAX_PARAM_LENGTH: 'A segment of the request path is too long.',
};

/**
 * The one exception filter. Known errors become RFC 9457 problems; anything else is a bare 500 whose body
 * carries only the request id, so no internal detail (or secret) can leak through an unexpected error.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /**
   * Answers `exception` as a problem. Also the target of Fastify's `frameworkErrors`, which are raised before
   * routing (bad percent-encoding, over-long path segments) and so never reach Nest's filters.
   */
  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { problem, headers } = this.toProblem(exception);
    problem.request_id = String(request.id);
    if (problem.status >= 500 && !(exception instanceof DomainError)) {
      // Log the class and stack only: messages of foreign errors may quote inputs.
      this.logger.error({ msg: 'unexpected error', error: errorSummary(exception) });
    }
    void reply.status(problem.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(problem);
  }

  private toProblem(exception: unknown): { problem: Problem; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      return {
        problem: { ...exception.extensions, ...problemOf(exception.status, exception.code, exception.title, exception.message) },
        headers: { ...exception.headers },
      };
    }
    const status = statusOf(exception);
    if (status === 404) {
      // Fixed text: the framework's message would reflect the request path back.
      return { problem: problemOf(404, 'not_found', 'Not found', 'No route matches this method and path.'), headers: {} };
    }
    if (status !== undefined && status < 500) {
      const [code, title] = HTTP_CODES[status] ?? ['invalid_request', 'Invalid request'];
      return { problem: problemOf(status, code, title, clientDetail(exception, title)), headers: {} };
    }
    return {
      problem: problemOf(500, 'internal_error', 'Internal error', 'An unexpected error occurred; quote the request id.'),
      headers: {},
    };
  }
}

/** Framework errors carry a status either as Nest `HttpException` or as Fastify's `statusCode`. */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const status = (exception as { statusCode: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 600) return status;
  }
  return undefined;
}

/** Framework 4xx messages describe the request shape (route, content type, size), never its values. */
function clientDetail(exception: unknown, fallback: string): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const message = (response as { message: unknown }).message;
      if (Array.isArray(message)) return message.map(String).join('; ');
      if (typeof message === 'string') return message;
    }
    return exception.message;
  }
  const code = exception instanceof Error ? (exception as { code?: unknown }).code : undefined;
  if (exception instanceof Error && typeof code === 'string') {
    // These two quote the raw request path; answer with a fixed text instead of reflecting it.
    if (code in PATH_QUOTING_FASTIFY_ERRORS) return PATH_QUOTING_FASTIFY_ERRORS[code] ?? fallback;
    // Other Fastify errors (FST_ERR_CTP_*, FST_ERR_CTP_BODY_TOO_LARGE …) have fixed, value-free messages.
    return exception.message;
  }
  return fallback;
}

/** A loggable description of an unexpected error without its message (which may quote user input). */
export function errorSummary(error: unknown): { type: string; stack?: string } {
  if (error instanceof Error) {
    const frames = error.stack?.split('\n').slice(1).join('\n');
    return { type: error.name, ...(frames ? { stack: frames } : {}) };
  }
  return { type: typeof error };
}
