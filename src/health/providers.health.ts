import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { sql } from 'kysely';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import { ProviderRegistry } from '../providers/provider-registry';

/** One indicator key per dependency: the database and each enabled provider. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly registry: ProviderRegistry,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  checks(): HealthIndicatorFunction[] {
    const providerChecks = this.registry
      .all()
      .filter((provider) => provider.mode !== 'off')
      .map((provider) => async () => {
        const session = this.health.check(`provider:${provider.name}`);
        const readiness = await provider.probe().catch(() => ({ ready: false, details: { reason: 'probe failed' } }));
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
