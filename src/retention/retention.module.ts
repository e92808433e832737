import { Module } from '@nestjs/common';
import { InvitationRetentionJob } from './invitation-retention.job';
import { InvitationRetentionRepository } from './invitation-retention.repository';

/** Keeps the database from growing forever: old terminal invitations are purged. */
@Module({ providers: [InvitationRetentionRepository, InvitationRetentionJob] })
export class RetentionModule {}
