import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { sql } from 'kysely';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import { ProviderRegistry } from '../providers/provider-registry';
import { ProbeCache } from './probe-cache';

/**
 * One indicator key per dependency: the database (a `select 1` on the pool, asked every
 * time: it is cheap and must show an outage at once) and each enabled provider (its
 * probe's cached answer, see ProbeCache).
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly registry: ProviderRegistry,
    private readonly probes: ProbeCache,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  checks(): HealthIndicatorFunction[] {
    const providerChecks = this.registry
      .all()
      .filter((provider) => provider.mode !== 'off')
      .map((provider) => async () => {
        const session = this.health.check(`provider:${provider.name}`);
        const readiness = await this.probes.readiness(provider);
        return readiness.ready
          ? session.up({ mode: provider.mode, ...readiness.details })
          : session.down({ mode: provider.mode, ...readiness.details });
      });
    return [() => this.databaseCheck(), ...providerChecks];
  }

  private async databaseCheck() {
    const session = this.health.check('database');
    try {
      await sql`select 1`.execute(this.database.db);
      return session.up({ dialect: this.database.dialect });
    } catch {
      return session.down({ dialect: this.database.dialect, reason: 'query failed' });
    }
  }
}
