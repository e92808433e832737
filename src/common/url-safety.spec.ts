import { callbackUrlProblem, isAddressAllowed, safeLookup } from './url-safety';

const dev = { production: false, allowPrivate: false };
const prod = { production: true, allowPrivate: false };

describe('callbackUrl safety', () => {
  it.each([
    ['https://hooks.example.com/x', dev, undefined],
    ['http://127.0.0.1:8080/x', dev, undefined],
    ['http://localhost/x', dev, undefined],
    ['http://[::1]/x', dev, undefined],
    ['http://127.0.0.1/x', prod, 'must use https'],
    ['https://127.0.0.1/x', prod, 'private'],
    ['http://hooks.example.com/x', dev, 'must use https'],
    ['ftp://hooks.example.com/x', dev, 'must use https'],
    ['https://10.1.2.3/x', dev, 'private'],
    ['https://172.20.0.1/x', dev, 'private'],
    ['https://192.168.1.1/x', dev, 'private'],
    ['https://169.254.169.254/latest/meta-data', dev, 'metadata'],
    ['https://[fe80::1]/x', dev, 'private'],
    ['https://[fd00::1]/x', dev, 'private'],
    ['https://[::ffff:10.0.0.1]/x', dev, 'private'],
    ['https://user:pass@hooks.example.com/x', dev, 'credentials'],
    ['not a url', dev, 'absolute'],
  ])('%s (%p) → %p', (url, policy, problem) => {
    const answer = callbackUrlProblem(url, policy);
    if (problem === undefined) expect(answer).toBeUndefined();
    else expect(answer).toContain(problem);
  });

  it('allows private targets only with WEBHOOK_ALLOW_PRIVATE', () => {
    expect(callbackUrlProblem('https://10.1.2.3/x', { production: true, allowPrivate: true })).toBeUndefined();
  });

  it.each([
    ['8.8.8.8', true],
    ['10.0.0.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['::ffff:192.168.0.1', false],
    ['2001:4860:4860::8888', true],
    ['fc00::1', false],
  ])('address %s allowed: %p', (address, allowed) => {
    expect(isAddressAllowed(address, prod)).toBe(allowed);
  });

  it('refuses at connect time a name that resolves to a blocked address (DNS rebinding)', async () => {
    const lookup = safeLookup(prod);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    );
    expect(error?.code).toBe('EBLOCKEDADDRESS');
  });

  it('resolves an allowed loopback name outside production', async () => {
    const lookup = safeLookup(dev);
    const address = await new Promise<unknown>((resolve) => lookup('localhost', {}, (_err, addr) => resolve(addr)));
    expect(['127.0.0.1', '::1']).toContain(address);
  });
});
