import { signAcsRequest } from './acs.hmac';
import { hmacProblem } from './sandbox/acs-sandbox.hmac';

/**
 * Computed independently of the code with openssl, following the SDK's recipe
 * (communicationAccessKeyCredentialPolicy.ts):
 *   printf '%s' "$BODY" | openssl dgst -sha256 -binary | base64
 *   printf 'POST\n<path>?api-version=2024-09-15\n<date>;contoso.communication.azure.com;<hash>' \
 *     | openssl dgst -sha256 -mac HMAC -macopt key:sandbox-access-key-0123456789 -binary | base64
 */
const KEY = Buffer.from('sandbox-access-key-0123456789').toString('base64');
const BODY = '{"invitationId":"7b4244f8-d2ff-46d1-a629-4f9fb5f73d40"}';
const URL_ =
  'https://contoso.communication.azure.com/calling/callConnections/18dea47f-b081-4107-9a5c-4300819d2c6c/participants:cancelAddParticipant?api-version=2024-09-15';
const DATE = new Date('2026-12-01T10:00:00Z');

describe('acs HMAC request signing', () => {
  it('matches the computed example: date, content hash and signature', () => {
    expect(signAcsRequest({ method: 'post', url: URL_, body: BODY }, KEY, DATE)).toEqual({
      'x-ms-date': 'Tue, 01 Dec 2026 10:00:00 GMT',
      'x-ms-content-sha256': 'MlxDxjBa3oDGMzawnlojZ2cM335oVeuXP+pCpkGUX2E=',
      Authorization:
        'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=aVi1c2YxaYgeVo+W9GsQiw4sU7TJrlg0vfV+628kFjM=',
    });
  });

  it('hashes an empty body as SHA-256 of ""', () => {
    const headers = signAcsRequest({ method: 'GET', url: URL_, body: '' }, KEY, DATE);
    expect(headers['x-ms-content-sha256']).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  describe('the simulator checks it as ACS would', () => {
    const signed = (body = BODY, host = 'contoso.communication.azure.com') => {
      const headers = signAcsRequest({ method: 'POST', url: URL_, body }, KEY, DATE);
      const { pathname, search } = new URL(URL_);
      return {
        method: 'POST',
        url: `${pathname}${search}`,
        headers: {
          host,
          authorization: headers.Authorization,
          'x-ms-date': headers['x-ms-date'],
          'x-ms-content-sha256': headers['x-ms-content-sha256'],
        },
        body,
      };
    };
    const now = DATE.getTime() + 60_000;

    it('accepts the signed request', () => {
      expect(hmacProblem(signed(), KEY, now)).toBeUndefined();
    });

    it.each([
      ['another key', () => hmacProblem(signed(), Buffer.from('other').toString('base64'), now)],
      ['a body changed after signing', () => hmacProblem({ ...signed(), body: '{}' }, KEY, now)],
      [
        'another host',
        () => hmacProblem({ ...signed(), headers: { ...signed().headers, host: 'evil.test' } }, KEY, now),
      ],
      [
        'another path',
        () => hmacProblem({ ...signed(), url: '/calling/callConnections/x/participants:add' }, KEY, now),
      ],
      ['a stale date', () => hmacProblem(signed(), KEY, DATE.getTime() + 16 * 60_000)],
      ['no Authorization', () => hmacProblem({ ...signed(), headers: { host: 'h' } }, KEY, now)],
    ])('refuses %s', (_label, check) => {
      expect(check()).toEqual(expect.any(String));
    });
  });
});
