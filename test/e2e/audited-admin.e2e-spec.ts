import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Body, Controller, HttpCode, Module, Param, Post, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { AccessModule, AdminGuard, Audited, CallerGuard } from '@broker/access';
import { ConfigModule, parseBrokerConfig, parseEnvironment } from '@broker/config';
import {
  AuditLog,
  BrokerMetrics,
  createRootLogger,
  installHttpLogging,
  ObservabilityModule,
  PinoNestLogger,
  requestIdFrom,
} from '@broker/observability';
import { InvalidRequestError, ProblemFilter, StrictValidationPipe } from '@broker/problems';
import { DenialAuditFilter } from '../../apps/broker/src/denial-audit.filter';
import { brokerYaml } from '../support/broker-app';
import { type BrokerResponse, call } from '../support/broker-http';
import { LogCapture } from '../support/log-capture';
import { expectProblem, STACK_FRAME } from './e2e.assertions';

const OPS_KEY = `ops-key-${randomBytes(16).toString('hex')}`;
const SVC_KEY = `svc-key-${randomBytes(16).toString('hex')}`;
const SECRET_IN_ERROR = `kaboom-${randomBytes(8).toString('hex')}`;

class PokeDto {
  @IsString()
  @MaxLength(200)
  reason!: string;

  @IsOptional()
  @IsBoolean()
  fail?: boolean;
}

/** A test-only admin controller, written the way the ops endpoints are meant to use the access lib. */
@Controller('admin/test')
@UseGuards(CallerGuard, AdminGuard)
class TestAdminController {
  @Post('credentials/:credentialId/poke')
  @HttpCode(200)
  @Audited('admin.poke')
  poke(@Param('credentialId') credentialId: string, @Body(StrictValidationPipe) body: PokeDto): { poked: string } {
    if (body.fail) throw new InvalidRequestError('The poke was asked to fail.');
    return { poked: credentialId };
  }

  @Post('boom')
  @Audited('admin.boom')
  boom(): never {
    throw new Error(SECRET_IN_ERROR);
  }
}

describe('@Audited admin actions and the strict body pipe', () => {
  let app: NestFastifyApplication;
  let url: string;
  const logs = new LogCapture();
  const audit = new LogCapture();

  const post = (path: string, apiKey: string | undefined, body: string, contentType = 'application/json'): Promise<BrokerResponse> =>
    call(url, path, { method: 'POST', ...(apiKey === undefined ? {} : { apiKey }), headers: { 'content-type': contentType }, body });
  const auditOf = (response: BrokerResponse): Readonly<Record<string, unknown>>[] =>
    audit.entries.filter((entry) => entry['request_id'] === response.headers.get('x-request-id'));

  beforeAll(async () => {
    const env = parseEnvironment({ HOST: '127.0.0.1', LOG_LEVEL: 'trace' });
    const config = parseBrokerConfig(
      brokerYaml({
        credentials: [],
        callers: [
          { id: 'ops', apiKey: OPS_KEY, credentials: [], roles: ['admin'] },
          { id: 'svc', apiKey: SVC_KEY, credentials: ['*'] },
        ],
      }),
      '/e2e/broker.yaml',
    );
    const logger = createRootLogger({ level: 'trace', destination: logs });

    @Module({
      imports: [
        ConfigModule.forRoot({ env, config }),
        ObservabilityModule.forRoot({ logger, auditDestination: audit, metrics: new BrokerMetrics() }),
        AccessModule.forRoot({ mode: 'local' }),
      ],
      controllers: [TestAdminController],
    })
    class TestAdminModule {}

    const adapter = new FastifyAdapter({ genReqId: (request: IncomingMessage) => requestIdFrom(request.headers['x-request-id']), bodyLimit: 16 * 1024 });
    app = await NestFactory.create<NestFastifyApplication>(TestAdminModule, adapter, { logger: new PinoNestLogger(logger), abortOnError: false });
    app.useGlobalFilters(new DenialAuditFilter(new ProblemFilter(), app.get(AuditLog)));
    installHttpLogging(app.getHttpAdapter().getInstance(), logger);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(() => app.close());

  it('records a successful action with the caller and the credential', async () => {
    const response = await post('/admin/test/credentials/aep-prod/poke', OPS_KEY, JSON.stringify({ reason: 'rotation drill' }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ poked: 'aep-prod' });
    expect(auditOf(response)).toEqual([
      expect.objectContaining({ log_type: 'audit', action: 'admin.poke', outcome: 'success', caller_id: 'ops', credential_id: 'aep-prod', time: expect.any(String) }),
    ]);
  });

  it('records a failed action with its status and reason code', async () => {
    const response = await post('/admin/test/credentials/aep-prod/poke', OPS_KEY, JSON.stringify({ reason: 'x', fail: true }));
    expectProblem(response, 400, 'invalid_request');
    expect(auditOf(response)).toEqual([expect.objectContaining({ action: 'admin.poke', outcome: 'failure', status: 400, reason: 'invalid_request', caller_id: 'ops' })]);
  });

  it('records an unexpected error as internal_error, without its message', async () => {
    const response = await post('/admin/test/boom', OPS_KEY, '{}');
    expectProblem(response, 500, 'internal_error');
    expect(auditOf(response)).toEqual([expect.objectContaining({ action: 'admin.boom', outcome: 'failure', status: 500, reason: 'internal_error' })]);
    expect(audit.lines.some((line) => line.raw.includes(SECRET_IN_ERROR))).toBe(false);
    expect(response.text).not.toContain(SECRET_IN_ERROR);
  });

  it('records refusals by the guards as access.denied, not as the action', async () => {
    const notAdmin = await post('/admin/test/credentials/aep-prod/poke', SVC_KEY, JSON.stringify({ reason: 'x' }));
    expectProblem(notAdmin, 403, 'forbidden');
    expect(auditOf(notAdmin)).toEqual([expect.objectContaining({ action: 'access.denied', status: 403, reason: 'forbidden', caller_id: 'svc', credential_id: 'aep-prod' })]);
    const anonymous = await post('/admin/test/boom', undefined, '{}');
    expectProblem(anonymous, 401, 'unauthenticated');
    expect(auditOf(anonymous)).toEqual([expect.objectContaining({ action: 'access.denied', status: 401, reason: 'unauthenticated' })]);
  });

  it.each([
    ['an unknown field', JSON.stringify({ reason: 'x', extra: true }), /unknown field 'extra'/],
    ['a missing field', JSON.stringify({}), /reason must be a string/],
    ['a wrong type', JSON.stringify({ reason: 5 }), /reason must be a string/],
    ['an array body', JSON.stringify([{ reason: 'x' }]), /./],
    ['a nested bomb', `{"reason":"x","n":${'['.repeat(4_000)}${']'.repeat(4_000)}}`, /nested too deeply/],
    ['an over-long value', JSON.stringify({ reason: 'r'.repeat(201) }), /reason must be shorter/],
  ])('rejects %s with a 400 invalid_body problem, and audits the failure', async (_what, body, detail) => {
    const response = await post('/admin/test/credentials/aep-prod/poke', OPS_KEY, body);
    const problem = expectProblem(response, 400, 'invalid_body');
    expect(problem.detail).toMatch(detail);
    expect(auditOf(response)).toEqual([expect.objectContaining({ action: 'admin.poke', outcome: 'failure', status: 400, reason: 'invalid_body' })]);
  });

  it.each([
    ['a body over 16 KiB', JSON.stringify({ reason: 'x'.repeat(20_000) }), 'application/json', 413],
    ['malformed JSON', '{"reason": ', 'application/json', 400],
    ['a __proto__ key', '{"reason":"x","__proto__":{"admin":true}}', 'application/json', 400],
    ['a content type without a parser', '<reason/>', 'application/xml', 415],
    ['plain text', 'reason', 'text/plain', 400],
    ['a form with an unknown field', 'reason=x&admin=true', 'application/x-www-form-urlencoded', 400],
  ])('answers %s with a 4xx problem and no stack', async (_what, body, contentType, status) => {
    const response = await post('/admin/test/credentials/aep-prod/poke', OPS_KEY, body, contentType);
    expectProblem(response, status);
    expect(response.text).not.toMatch(STACK_FRAME);
  });
});
