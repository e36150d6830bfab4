import { Logger } from '@nestjs/common';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { CERTIFICATE_2021, CERTIFICATE_2021_EXPIRY, materialOf } from '../../../test/fixtures/test-material.fixtures';

const DAY = 24 * 3600 * 1000;
const EXPIRY = CERTIFICATE_2021_EXPIRY.getTime();

describe('KeyExpiryRegistry', () => {
  let registry: KeyExpiryRegistry;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    registry = new KeyExpiryRegistry();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('knows nothing before a secret was observed, or when the secret has no certificate', () => {
    expect(registry.expiryOf('c')).toBeUndefined();
    registry.observe('c', materialOf({ client_secret: 's' }));
    expect(registry.expiryOf('c')).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it('reads validTo of the certificate, without a warning while more than 30 days are left', () => {
    registry.observe('c', materialOf({ client_secret: 's', certificate: CERTIFICATE_2021 }), EXPIRY - 31 * DAY);
    expect(registry.expiryOf('c')).toEqual(CERTIFICATE_2021_EXPIRY);
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns within 30 days of expiry, at most once a day, and again once expired', () => {
    const material = materialOf({ client_secret: 's', certificate: CERTIFICATE_2021 });
    registry.observe('c', material, EXPIRY - 10 * DAY);
    registry.observe('c', material, EXPIRY - 10 * DAY + 3600_000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenLastCalledWith({
      msg: 'the certificate of the signing key expires soon',
      credential_id: 'c',
      expires_at: '2021-01-01T00:00:00.000Z',
      days_left: 10,
    });

    registry.observe('c', material, EXPIRY + DAY);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith(expect.objectContaining({ msg: 'the certificate of the signing key has expired', days_left: -1 }));
  });

  it('forgets the expiry when the certificate goes away or does not parse, and never logs its content', () => {
    registry.observe('c', materialOf({ client_secret: 's', certificate: CERTIFICATE_2021 }), EXPIRY - 40 * DAY);
    registry.observe('c', materialOf({ client_secret: 's', certificate: '-----BEGIN CERTIFICATE-----\nnot-a-cert\n' }));
    expect(registry.expiryOf('c')).toBeUndefined();
    expect(warn).toHaveBeenCalledWith({ msg: 'the certificate in the secret does not parse; its expiry is unknown', credential_id: 'c' });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('not-a-cert');

    registry.observe('c', materialOf({ client_secret: 's' }));
    expect(registry.expiryOf('c')).toBeUndefined();
  });
});
