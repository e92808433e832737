import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';

/**
 * What /health/ready tells a caller without an API key: up or down per component,
 * nothing else (no modes, reasons or dialect: they help an attacker more than a probe).
 */
export function publicHealth(result: HealthCheckResult): HealthCheckResult {
  return {
    status: result.status,
    ...(result.info ? { info: statusesOnly(result.info) } : {}),
    ...(result.error ? { error: statusesOnly(result.error) } : {}),
    details: statusesOnly(result.details),
  };
}

function statusesOnly(components: Partial<HealthIndicatorResult>): HealthIndicatorResult {
  const statuses: HealthIndicatorResult = {};
  for (const [name, component] of Object.entries(components)) {
    if (component) statuses[name] = { status: component.status };
  }
  return statuses;
}
