import { Module } from '@nestjs/common';
import { DeadlinesService } from './deadlines.service';
import { IdempotencyRepository, KyselyIdempotencyRepository } from './idempotency.repository';
import { IdempotencyInterceptor, IdempotentResource } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';
import { InvitationsApi } from './invitations.api';
import { InvitationRepository } from './invitation.repository';
import { InvitationWatch } from './invitation-watch';
import { InvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';
import { KyselyInvitationRepository } from './kysely-invitation.repository';
import { SignalIntake } from './signal-intake.service';

@Module({
  controllers: [InvitationsController],
  providers: [
    { provide: InvitationRepository, useClass: KyselyInvitationRepository },
    { provide: IdempotencyRepository, useClass: KyselyIdempotencyRepository },
    SignalIntake,
    InvitationsService,
    IdempotencyService,
    IdempotencyInterceptor,
    InvitationsApi,
    { provide: IdempotentResource, useExisting: InvitationsApi },
    DeadlinesService,
    InvitationWatch,
  ],
  exports: [SignalIntake, InvitationRepository, InvitationsService, DeadlinesService, InvitationWatch],
})
export class InvitationsModule {}
