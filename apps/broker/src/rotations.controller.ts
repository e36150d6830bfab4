import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminGuard, type Caller, CallerGuard } from '@broker/access';
import { UnknownCredentialError } from '@broker/tokens';
import { ConfigService } from '@broker/config';
import { InvalidRequestError } from '@broker/problems';
import { RotationService } from '@broker/rotation';
import { SecretsService } from '@broker/secrets';
import { ApiProblems } from './openapi/problem-responses';
import { currentSecretView, dryRunView, rotationView, type RotationView } from './rotation-view';
import { parseCredentialId } from './token-request';

/** Client-secret rotations of a credential: start one (or a dry run), see the running one and the history. */
@ApiTags('admin')
@ApiBearerAuth('caller')
@ApiProblems(401, 403, 429)
@Controller('admin/credentials/:credentialId/rotations')
@UseGuards(CallerGuard, AdminGuard)
export class RotationsController {
  constructor(
    private readonly config: ConfigService,
    private readonly rotations: RotationService,
    private readonly secrets: SecretsService,
  ) {}

  /** 202 with the new rotation (it runs in the background); `?dryRun=true`: 200 with what prepare would do. */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a client-secret rotation (202), or with ?dryRun=true check it without changing anything (200).' })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  @ApiProblems(400, 404, 409, 503)
  async start(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('credentialId') rawId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<RotationView> {
    const id = this.credentialId(rawId);
    if (parseDryRun(query)) {
      void reply.status(200);
      return dryRunView(await this.rotations.dryRun(id, (request.caller as Caller).id));
    }
    const record = await this.rotations.start(id, (request.caller as Caller).id);
    void reply.header('location', `/admin/credentials/${id}/rotations`);
    return rotationView(record);
  }

  @Get()
  @ApiOperation({ summary: "The credential's running rotation (or null), its finished rotations, and the current secret." })
  @ApiProblems(400, 404, 409)
  async list(@Param('credentialId') rawId: string): Promise<Record<string, unknown>> {
    const id = this.credentialId(rawId);
    const [state, status] = await Promise.all([this.rotations.state(id), this.rotations.status(id)]);
    return {
      credential_id: id,
      current: state.active ? rotationView(state.active) : null,
      history: state.history.map(rotationView),
      current_secret: currentSecretView(status, this.secrets.status(id)),
    };
  }

  private credentialId(rawId: string): string {
    const id = parseCredentialId(rawId);
    if (!this.config.credential(id)) throw new UnknownCredentialError(id);
    return id;
  }
}

/** `?dryRun=true|false` is the only query parameter. */
function parseDryRun(query: Record<string, unknown>): boolean {
  for (const key of Object.keys(query)) {
    if (key !== 'dryRun') throw new InvalidRequestError(`Unknown query parameter '${key.slice(0, 64)}'; only dryRun is accepted.`, 'invalid_parameter');
  }
  const raw = query['dryRun'];
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new InvalidRequestError('dryRun must be true or false.', 'invalid_parameter');
}
