import { type DynamicModule, Module } from '@nestjs/common';
import { TokensModule } from '@broker/tokens';
import { ProxyService } from './proxy.service';
import { UpstreamForwarder } from './upstream.forwarder';

/** Credential injection: `ProxyService` over the token service and one pooled upstream client. */
@Module({})
export class ProxyModule {
  /** `mode` is the token service's (Nest instantiates the same `TokensModule` definition once). */
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return {
      module: ProxyModule,
      imports: [TokensModule.forRoot(options)],
      providers: [UpstreamForwarder, ProxyService],
      exports: [ProxyService],
    };
  }
}
