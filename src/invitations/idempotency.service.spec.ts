import { GatewayError } from '../common/errors/gateway-error';
import { IdempotencyRepository, type IdempotencyRecord, type StoredResponse } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

/** The store as a map: enough to drive every branch of the key's life. */
class MemoryIdempotencyRepository extends IdempotencyRepository {
  readonly rows = new Map<string, IdempotencyRecord>();

  reserve(caller: string, key: string, fingerprint: string, now: string, expiresAt: string): Promise<boolean> {
    if (this.rows.has(`${caller}/${key}`)) return Promise.resolve(false);
    this.rows.set(`${caller}/${key}`, {
      caller,
      key,
      fingerprint,
      state: 'in_progress',
      invitationId: null,
      response: null,
      createdAt: now,
      expiresAt,
    });
    return Promise.resolve(true);
  }
  find(caller: string, key: string): Promise<IdempotencyRecord | undefined> {
    return Promise.resolve(this.rows.get(`${caller}/${key}`));
  }
  attachInvitation(caller: string, key: string, invitationId: string, provisional: StoredResponse): Promise<void> {
    this.update(caller, key, { invitationId, response: provisional });
    return Promise.resolve();
  }
  complete(caller: string, key: string, response: StoredResponse): Promise<void> {
    this.update(caller, key, { state: 'done', response });
    return Promise.resolve();
  }
  remove(caller: string, key: string, createdAt: string): Promise<void> {
    if (this.rows.get(`${caller}/${key}`)?.createdAt === createdAt) this.rows.delete(`${caller}/${key}`);
    return Promise.resolve();
  }
  purgeExpired(): Promise<number> {
    return Promise.resolve(0);
  }
  private update(caller: string, key: string, change: Partial<IdempotencyRecord>): void {
    const row = this.rows.get(`${caller}/${key}`);
    if (row) this.rows.set(`${caller}/${key}`, { ...row, ...change });
  }
}

describe('IdempotencyService', () => {
  let repository: MemoryIdempotencyRepository;
  let service: IdempotencyService;
  const body = { conversationId: 'call-1', to: 'tel:+14255550100' };
  const provisional: StoredResponse = {
    status: 202,
    headers: { location: '/invitations/abc' },
    body: '{"id":"abc","status":"pending"}',
  };

  beforeEach(() => {
    repository = new MemoryIdempotencyRepository();
    service = new IdempotencyService(repository);
  });

  const reserve = async () => {
    const admission = await service.admit('crm', 'k1', body);
    if (admission.kind !== 'run') throw new Error(`expected a run, got ${admission.kind}`);
    return admission.reservation;
  };

  it('while the first request runs, the same key answers 409 in progress', async () => {
    await reserve();
    await expect(service.admit('crm', 'k1', body)).rejects.toMatchObject({ code: 'idempotency_request_in_progress' });
  });

  it('binds the created resource inside `within` only, and replays its provisional answer after a crash', async () => {
    const reservation = await reserve();
    await service.recordCreated('outside', provisional); // no request in scope: nothing bound
    expect(repository.rows.get('crm/k1')?.invitationId).toBeNull();
    await service.within(reservation, () => service.recordCreated('abc', provisional));
    expect(repository.rows.get('crm/k1')).toMatchObject({ state: 'in_progress', invitationId: 'abc' });

    // The request died: after the abandonment window its provisional answer stands.
    const row = repository.rows.get('crm/k1')!;
    repository.rows.set('crm/k1', { ...row, createdAt: new Date(Date.now() - 3 * 60 * 1000).toISOString() });
    expect(await service.admit('crm', 'k1', body)).toEqual({ kind: 'replay', response: provisional });
  });

  it('stores a problem rendered for the request’s own path', async () => {
    const reservation = await reserve();
    await service.fail(reservation, new GatewayError('conversation_not_found', 'No such call'), '/v2/invitations');
    const admission = await service.admit('crm', 'k1', body);
    expect(admission.kind).toBe('replay');
    if (admission.kind !== 'replay') return;
    expect(admission.response.status).toBe(404);
    expect(admission.response.headers['Content-Type']).toBe('application/problem+json');
    expect(admission.response.body).toContain('"instance":"/v2/invitations"');
  });

  it.each(['internal_error', 'rate_limited', 'validation_failed', 'service_unavailable'] as const)(
    'releases the key after %s: it answers nothing about the request',
    async (code) => {
      const reservation = await reserve();
      await service.fail(reservation, new GatewayError(code, 'refused'), '/invitations');
      expect(repository.rows.has('crm/k1')).toBe(false);
      expect((await service.admit('crm', 'k1', body)).kind).toBe('run');
    },
  );

  it('a row of the previous release (no body) resumes from its invitation', async () => {
    const reservation = await reserve();
    await service.complete(reservation, { status: 202, headers: {}, body: '' });
    repository.rows.set('crm/k1', { ...repository.rows.get('crm/k1')!, invitationId: 'old' });
    expect(await service.admit('crm', 'k1', body)).toEqual({ kind: 'resume', resourceId: 'old' });
  });

  it('refuses the key with another body, and keys are per caller', async () => {
    await reserve();
    await expect(service.admit('crm', 'k1', { ...body, to: 'tel:+14255550101' })).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });
    expect((await service.admit('billing', 'k1', body)).kind).toBe('run');
  });
});
