import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { TraceController } from './trace.controller';
import { TraceRecorder } from './trace.recorder';
import { TraceRepository } from './trace.repository';
import { TraceService } from './trace.service';

/** One invitation's trace: recorded from the telemetry port, served at /invitations/{id}/trace. */
@Module({
  imports: [InvitationsModule],
  controllers: [TraceController],
  providers: [TraceRepository, TraceRecorder, TraceService],
  exports: [TraceService],
})
export class TraceModule {}
