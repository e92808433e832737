import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { ConsoleController } from './console.controller';
import { RecentInvitationsStreams } from './recent-invitations.streams';

/** /console: a static page over the API (recent invitations live, one invitation's trace). */
@Module({
  imports: [InvitationsModule],
  controllers: [ConsoleController],
  providers: [RecentInvitationsStreams],
})
export class ConsoleModule {}
