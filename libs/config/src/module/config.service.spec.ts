import type { BrokerConfig } from '../schema/broker-config.types';
import { configDoc, credentialDoc, parseDoc } from '../../../../test/fixtures/config.fixtures';
import { ConfigService } from './config.service';

const first = parseDoc(configDoc());
const second = parseDoc(configDoc({ credentials: [credentialDoc({ id: 'aep-stage' })], callers: [] }));

describe('ConfigService', () => {
  it('serves the initial config and looks credentials up by id', () => {
    const service = new ConfigService(first);

    expect(service.current).toBe(first);
    expect(service.credential('aep-prod')).toBe(first.credentials[0]);
    expect(service.credential('nope')).toBeUndefined();
    expect(service.credential('constructor')).toBeUndefined();
  });

  it('replaces the config and its index together', () => {
    const service = new ConfigService(first);

    service.replace(second);

    expect(service.current).toBe(second);
    expect(service.credential('aep-prod')).toBeUndefined();
    expect(service.credential('aep-stage')).toBe(second.credentials[0]);
  });

  it('tells listeners after the swap, with the new and the previous config', () => {
    const service = new ConfigService(first);
    const seen: [BrokerConfig, BrokerConfig, BrokerConfig][] = [];
    service.onChange((next, previous) => seen.push([next, previous, service.current]));

    service.replace(second);

    expect(seen).toEqual([[second, first, second]]);
  });

  it('stops telling a listener once it unsubscribed', () => {
    const service = new ConfigService(first);
    const listener = jest.fn();
    const unsubscribe = service.onChange(listener);

    unsubscribe();
    service.replace(second);

    expect(listener).not.toHaveBeenCalled();
  });

  it('keeps two registrations of the same function apart', () => {
    const service = new ConfigService(first);
    const listener = jest.fn();
    const unsubscribe = service.onChange(listener);
    service.onChange(listener);

    unsubscribe();
    service.replace(second);

    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('still tells the other listeners when one throws, then rethrows with the new config in force', () => {
    const service = new ConfigService(first);
    const later = jest.fn();
    service.onChange(() => {
      throw new Error('boom');
    });
    service.onChange(later);

    expect(() => service.replace(second)).toThrow(AggregateError);
    expect(later).toHaveBeenCalledWith(second, first);
    expect(service.current).toBe(second);
  });
});
