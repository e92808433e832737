import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DEFAULT_PROVIDER_HTTP } from '../shared/provider-http';
import { ACS_DEFAULT_OPENID_URL, AcsEnvironment, loadAcsConfig, SANDBOX_ACS_RESOURCE_ID } from './acs.config';
import { parseAcsConnectionString } from './acs.connection-string';

const env = (raw: Record<string, string>) => plainToInstance(AcsEnvironment, raw);
const context = (publicBaseUrl: string) => ({ publicBaseUrl, production: false, http: DEFAULT_PROVIDER_HTTP, raw: {} });
const problems = (raw: Record<string, string>) => validateSync(env(raw)).map((error) => error.property);

describe('acs configuration', () => {
  it('defaults to sandbox with the simulator under /sandbox/acs', () => {
    const config = loadAcsConfig(env({}), context('http://127.0.0.1:3000'));
    expect(problems({})).toEqual([]);
    expect(config).toMatchObject({
      mode: 'sandbox',
      endpoint: 'http://127.0.0.1:3000/sandbox/acs',
      callbackUrl: 'http://127.0.0.1:3000/providers/acs/callbacks',
      callbackOpenIdUrl: 'http://127.0.0.1:3000/sandbox/acs/calling/.well-known/acsopenidconfiguration',
      callbackAudience: SANDBOX_ACS_RESOURCE_ID,
    });
    expect(Buffer.from(config.accessKey, 'base64')).toHaveLength(32);
  });

  it('live needs the connection string and the audience', () => {
    expect(problems({ ACS_MODE: 'live' }).sort()).toEqual(['ACS_CALLBACK_AUDIENCE', 'ACS_CONNECTION_STRING']);
    expect(problems({ ACS_MODE: 'live', ACS_CONNECTION_STRING: 'endpoint=x', ACS_CALLBACK_AUDIENCE: 'a' })).toEqual([
      'ACS_CONNECTION_STRING',
    ]);
  });

  it('reads a live resource', () => {
    const raw = {
      ACS_MODE: 'live',
      ACS_CONNECTION_STRING: 'endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0',
      ACS_CALLBACK_AUDIENCE: 'b9614373-fd0b-480c-8fd2-cb58b70eab9f',
      ACS_SOURCE_CALLER_ID: '+18440123456',
    };
    expect(problems(raw)).toEqual([]);
    expect(loadAcsConfig(env(raw), context('https://gw.example'))).toEqual({
      mode: 'live',
      http: DEFAULT_PROVIDER_HTTP,
      endpoint: 'https://contoso.communication.azure.com',
      accessKey: 'c2VjcmV0',
      callbackUrl: 'https://gw.example/providers/acs/callbacks',
      callbackOpenIdUrl: ACS_DEFAULT_OPENID_URL,
      callbackAudience: 'b9614373-fd0b-480c-8fd2-cb58b70eab9f',
      sourceCallerId: '+18440123456',
    });
  });

  it('refuses a caller id that is not E.164 and a mode that is not one of three', () => {
    expect(problems({ ACS_SOURCE_CALLER_ID: '4255550100' })).toEqual(['ACS_SOURCE_CALLER_ID']);
    expect(problems({ ACS_MODE: 'on' })).toEqual(['ACS_MODE']);
  });

  it.each([
    ['endpoint=https://r.communication.azure.com/;accesskey=c2VjcmV0', 'https://r.communication.azure.com'],
    ['ENDPOINT=https://r.communication.azure.com;AccessKey=c2VjcmV0;', 'https://r.communication.azure.com'],
  ])('parses %s', (value, endpoint) => {
    expect(parseAcsConnectionString(value)).toEqual({ endpoint, accessKey: 'c2VjcmV0' });
  });

  it.each([
    ['accesskey=c2VjcmV0'],
    ['endpoint=ftp://x/;accesskey=c2VjcmV0'],
    ['endpoint=https://x/;accesskey=not base64!'],
  ])('refuses %s', (value) => {
    expect(parseAcsConnectionString(value)).toBeUndefined();
  });
});
