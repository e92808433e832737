import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { EventChannelsService } from './event-channels.service';
import { IngressController } from './ingress.controller';
import { IngressService } from './ingress.service';

@Module({
  imports: [InvitationsModule],
  controllers: [IngressController],
  providers: [IngressService, EventChannelsService],
})
export class IngressModule {}
