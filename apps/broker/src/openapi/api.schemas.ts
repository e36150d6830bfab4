import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Response shapes for the generated OpenAPI document. They mirror what the controllers return; the
// OpenAPI e2e spec checks real responses against them, so a drift fails the tests.

export class TokenResponseDto {
  @ApiProperty({ example: 'aep-prod' }) credential_id!: string;
  @ApiProperty({ description: 'The access token; send it as `Authorization: Bearer …`.' }) access_token!: string;
  @ApiProperty({ enum: ['bearer'] }) token_type!: 'bearer';
  @ApiProperty({ description: 'Whole seconds of validity left at the moment of the response.', example: 43170 }) expires_in!: number;
  @ApiProperty({ format: 'date-time', description: 'RFC 3339 UTC.' }) expires_at!: string;
}

export class CallerHeadersDto {
  @ApiProperty({ example: 'Bearer eyJ…' }) authorization!: string;
  @ApiPropertyOptional({ description: 'Adobe credentials: the client id.' }) 'x-api-key'?: string;
  @ApiPropertyOptional({ description: 'Adobe credentials: the IMS organization id.' }) 'x-gw-ims-org-id'?: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'https://token-broker.dev/problems/forbidden' }) type!: string;
  @ApiProperty({ example: 'Forbidden' }) title!: string;
  @ApiProperty({ example: 403 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'Stable machine-readable code.', example: 'forbidden' }) code!: string;
  @ApiProperty({ description: 'Quote it to support; it is on every log line of the request.' }) request_id!: string;
}

export class ConfigIssueDto {
  @ApiProperty({ example: 'credentials[0].imsUrl' }) path!: string;
  @ApiProperty() message!: string;
}

export class ConfigRejectedProblemDto extends ProblemDto {
  @ApiProperty({ type: [ConfigIssueDto] }) issues!: ConfigIssueDto[];
}

export class TokenStateDto {
  @ApiProperty() held!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: Number, nullable: true }) expires_in!: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) next_refresh_at!: string | null;
}

export class LastRefreshDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ enum: ['success', 'failure'] }) outcome!: 'success' | 'failure';
  @ApiProperty({ type: String, nullable: true }) error_code!: string | null;
}

export class SecretStateDto {
  @ApiProperty({ enum: ['aws', 'file', 'env'] }) source!: string;
  @ApiProperty({ type: String, nullable: true }) version!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fetched_at!: string | null;
  @ApiProperty({ type: Number, nullable: true }) age_seconds!: number | null;
  @ApiProperty({ type: String, nullable: true, description: "The source's own cause while reading the secret fails (e.g. the AWS SDK's message); never the secret." })
  last_error!: string | null;
}

export class CredentialStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'adobe-ims' }) provider!: string;
  @ApiProperty({ type: TokenStateDto }) token!: TokenStateDto;
  @ApiProperty({ type: LastRefreshDto, nullable: true }) last_refresh!: LastRefreshDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'Code of the failure now remembered, if any.' }) last_error_code!: string | null;
  @ApiProperty({ description: 'Upstream calls made by this instance since it started.' }) upstream_calls!: number;
  @ApiProperty({ type: SecretStateDto }) secret!: SecretStateDto;
  @ApiProperty({ type: Object, nullable: true, description: 'Rotation state, when rotation is configured.' }) rotation!: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Signing certificate expiry (adobe-ims-jwt, private_key_jwt), when known.' })
  signing_key_expires_at!: string | null;
}

export class InstanceDto {
  @ApiProperty({ description: 'Instance id (a fresh UUID per process).' }) instance_id!: string;
  @ApiProperty() host!: string;
  @ApiProperty() pid!: number;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time', description: 'When this was true (for fleet entries: their last heartbeat).' }) seen_at!: string;
  @ApiProperty({ enum: ['ready', 'degraded', 'not_ready'] }) readiness!: string;
  @ApiProperty({ description: 'Hash of the config this instance runs.' }) config_hash!: string;
}

export class CredentialListDto {
  @ApiProperty({ description: 'Hash of the loaded config (12 hex digits); the same on every instance that runs the same settings.' }) config_hash!: string;
  @ApiProperty({ type: InstanceDto, description: 'The instance that answered.' }) instance!: InstanceDto;
  @ApiProperty({ type: [InstanceDto], nullable: true, description: 'Every live instance by its heartbeat (this one alone in-process); null while the roster cannot be read.' })
  fleet!: InstanceDto[] | null;
  @ApiProperty({ type: [CredentialStatusDto] }) credentials!: CredentialStatusDto[];
}

export class RefreshResultDto {
  @ApiProperty() credential_id!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty() expires_in!: number;
}

export class ReloadResultDto {
  @ApiProperty({ enum: ['applied'] }) status!: 'applied';
  @ApiProperty() source!: string;
  @ApiProperty() credentials!: number;
  @ApiProperty() callers!: number;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'error'], description: 'ok and degraded answer 200, error 503.' }) status!: string;
  @ApiProperty({ type: Object }) info!: Record<string, unknown>;
  @ApiProperty({ type: Object }) error!: Record<string, unknown>;
  @ApiProperty({ type: Object }) details!: Record<string, unknown>;
}
