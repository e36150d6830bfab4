import { isFleetEventType } from './fleet-event';
import { FleetIdentity } from './fleet-identity';
import { LocalFleetBus } from './local.fleet-bus';

describe('LocalFleetBus', () => {
  it('delivers to every listener, stamped with this instance as origin, until unsubscribed', async () => {
    const bus = new LocalFleetBus(new FleetIdentity());
    const seen: unknown[] = [];
    const stop = bus.subscribe((event) => seen.push(event));
    await bus.publish('evicted', 'c1');
    stop();
    await bus.publish('updated', 'c1');
    expect(seen).toEqual([{ type: 'evicted', credentialId: 'c1', origin: bus.instanceId }]);
  });

  it('gives each process its own instance id', () => {
    expect(new FleetIdentity().instanceId).not.toBe(new FleetIdentity().instanceId);
  });
});

describe('isFleetEventType', () => {
  it.each(['updated', 'evicted', 'secret-changed', 'config-reload'])('accepts %p', (type) => expect(isFleetEventType(type)).toBe(true));
  it.each(['toString', 'constructor', 'UPDATED', '', 1, undefined])('refuses %p', (type) => expect(isFleetEventType(type)).toBe(false));
});
