import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addProxyPaths } from './proxy-paths';

/** Serves the OpenAPI document generated from the controllers at `/docs-json` and a browsable page at `/docs`. */
export function installOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Token broker')
      .setDescription('One OAuth access token per credential, shared by every caller. Errors are RFC 9457 problem details.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A caller API key (or workload JWT).' }, 'caller')
      .build(),
  );
  addProxyPaths(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Token broker API' });
}
