import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { DeliveryController } from './delivery.controller';
import { DeliveryRepository, KyselyDeliveryRepository } from './delivery.repository';
import { EventStreamsService } from './event-streams.service';
import { WebhookDispatcher } from './webhook.dispatcher';

@Module({
  imports: [InvitationsModule],
  controllers: [DeliveryController],
  providers: [
    { provide: DeliveryRepository, useClass: KyselyDeliveryRepository },
    WebhookDispatcher,
    EventStreamsService,
  ],
})
export class DeliveryModule {}
