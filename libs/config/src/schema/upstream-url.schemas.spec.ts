import { MESSAGES } from '../config.constants';
import { checkImsUrl } from './upstream-url.schemas';

describe('checkImsUrl', () => {
  it.each([
    ['https://ims-na1.adobelogin.com', 'https://ims-na1.adobelogin.com'],
    ['https://ims-na1.adobelogin.com/', 'https://ims-na1.adobelogin.com'],
    ['https://IMS.example.com:8443', 'https://ims.example.com:8443'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://127.8.9.10', 'http://127.8.9.10'],
    ['http://localhost:4000/', 'http://localhost:4000'],
    ['http://[::1]:4000', 'http://[::1]:4000'],
  ])('accepts %s as %s', (input, origin) => {
    expect(checkImsUrl(input)).toEqual({ origin });
  });

  it.each([
    ['http://ims-na1.adobelogin.com', MESSAGES.imsUrlHttps],
    ['http://10.0.0.1', MESSAGES.imsUrlHttps],
    ['http://localhost.evil.example', MESSAGES.imsUrlHttps],
    ['http://127.0.0.1.nip.io', MESSAGES.imsUrlHttps],
    ['ftp://ims.example.com', MESSAGES.imsUrlHttps],
    ['https://user:pw@ims.example.com', MESSAGES.imsUrlUserinfo],
    ['https://ims.example.com/ims/token/v3', MESSAGES.imsUrlPath],
    ['https://ims.example.com?x=1', MESSAGES.imsUrlPath],
    ['https://ims.example.com/?', MESSAGES.imsUrlPath],
    ['https://ims.example.com#frag', MESSAGES.imsUrlPath],
    ['ims.example.com', MESSAGES.imsUrlNotString],
    [42, MESSAGES.imsUrlNotString],
  ])('rejects %s', (input, problem) => {
    expect(checkImsUrl(input)).toEqual({ problem });
  });
});
