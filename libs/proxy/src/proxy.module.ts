import { Module } from '@nestjs/common';
import { TokensModule } from '@broker/tokens';
import { ProxyService } from './proxy.service';
import { UpstreamForwarder } from './upstream.forwarder';

/** Credential injection: `ProxyService` over the token service and one pooled upstream client. */
@Module({
  imports: [TokensModule],
  providers: [UpstreamForwarder, ProxyService],
  exports: [ProxyService],
})
export class ProxyModule {}
