import { Module } from '@nestjs/common';
import { BrokerModule } from '@broker/broker';
import { ProxyService } from './proxy.service';
import { UpstreamForwarder } from './upstream.forwarder';

/** Credential injection: `ProxyService` over the token service and one pooled upstream client. */
@Module({
  imports: [BrokerModule],
  providers: [UpstreamForwarder, ProxyService],
  exports: [ProxyService],
})
export class ProxyModule {}
