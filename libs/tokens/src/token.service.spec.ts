import { Logger } from '@nestjs/common';
import type { ConfigService, CredentialConfig } from '@broker/config';
import { type FleetEvent, LocalFleetBus, FleetIdentity } from '@broker/fleet';
import type { IssuedToken } from '@broker/issuers';
import { type CredentialLocks, type Fence, LocalLockService, LockKeys, type LockHandle, LockUnavailableError } from '@broker/locking';
import { BrokerMetrics } from '@broker/observability';
import { MemoryTokenStore, type PutOutcome, type StoredToken } from '@broker/token-store';
import { tokenPolicy } from '../../../test/fixtures/token-policy.fixtures';
import { TokenService } from './token.service';
import type { UpstreamMinter } from './upstream-minter';

const POLICY = tokenPolicy({ upstreamTimeoutMs: 3_000 });
const CREDENTIAL = { id: 'c1' } as CredentialConfig;
const HOUR = 3_600_000;

/** Only what TokenService reads of the config; anything else it touched would be undefined and fail. */
function fakeConfig(): ConfigService {
  return {
    credential: (id: string) => (id === CREDENTIAL.id ? CREDENTIAL : undefined),
    current: { tokens: POLICY },
    onChange: () => () => undefined,
  } as unknown as ConfigService;
}

/** An upstream that answers each mint with a fresh token, after `release()` when gated. */
class FakeMinter {
  calls = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
  }

  async mint(credential: CredentialConfig): Promise<IssuedToken> {
    expect(credential).toBe(CREDENTIAL);
    this.calls++;
    await this.gate;
    const now = Date.now();
    return { accessToken: `minted-${this.calls}`, tokenType: 'bearer', issuedAt: now, expiresAt: now + HOUR } as IssuedToken;
  }

  callCount(): number {
    return this.calls;
  }
}

/** The memory store, recording which fence each write came with. */
class RecordingStore extends MemoryTokenStore {
  readonly fences: Fence[] = [];

  override async put(credentialId: string, token: StoredToken, fence: Fence): Promise<PutOutcome> {
    this.fences.push(fence);
    return super.put(credentialId, token, fence);
  }
}

describe('TokenService', () => {
  let bus: LocalFleetBus;
  let store: RecordingStore;
  let minter: FakeMinter;
  let lockService: LocalLockService;
  let acquired: LockHandle[];
  let locks: CredentialLocks;
  let service: TokenService;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    bus = new LocalFleetBus(new FleetIdentity());
    store = new RecordingStore();
    minter = new FakeMinter();
    lockService = new LocalLockService();
    acquired = [];
    const keys = LockKeys.local();
    locks = {
      refresh: async (id: string, ttl: number) => {
        const handle = await lockService.tryAcquire(keys.refresh(id), ttl);
        if (handle) acquired.push(handle);
        return handle;
      },
      rotation: () => {
        throw new Error('TokenService must not take the rotation lock');
      },
    } as unknown as CredentialLocks;
    service = new TokenService(fakeConfig(), store, bus, locks, minter as unknown as UpstreamMinter, new BrokerMetrics());
  });

  afterEach(async () => {
    service.onModuleDestroy();
    await lockService.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('mints once for concurrent callers, writes under the refresh lock it holds, and announces the token', async () => {
    const events: FleetEvent[] = [];
    bus.subscribe((event) => events.push(event));
    minter.hold();
    const pending = Promise.all(Array.from({ length: 20 }, () => service.getToken('c1', 60)));
    minter.release();
    const tokens = await pending;

    expect(minter.calls).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['minted-1']));
    expect(acquired).toHaveLength(1);
    expect(store.fences).toEqual([acquired[0]]);
    expect(acquired[0]?.signal.aborted).toBe(true); // released after the write
    expect(await store.get('c1')).toMatchObject({ accessToken: 'minted-1' });
    expect(events).toEqual([{ type: 'updated', credentialId: 'c1', origin: bus.instanceId }]);
  });

  it('serves a held token from memory without another mint', async () => {
    const first = await service.getToken('c1', 60);
    const second = await service.getToken('c1', 60);
    expect(second).toBe(first);
    expect(minter.calls).toBe(1);
  });

  it('adopts the token another instance stored while it waited for the lock', async () => {
    const other = await lockService.tryAcquire(LockKeys.local().refresh('c1'), 5_000);
    if (!other) throw new Error('expected the lock');
    const waiting = service.getToken('c1', 60);
    const now = Date.now();
    await store.put('c1', { accessToken: 'from-another-instance', tokenType: 'bearer', issuedAt: now, expiresAt: now + HOUR }, other);
    // No event reaches this instance: it finds the token by polling the store.
    expect((await waiting).accessToken).toBe('from-another-instance');
    expect(minter.calls).toBe(0);
    await other.release();
  });

  it('mints for itself alone, writing nothing shared, when the lock backend is unreachable', async () => {
    locks.refresh = async () => {
      throw new LockUnavailableError('cred:c1:lock');
    };
    expect((await service.getToken('c1', 60)).accessToken).toBe('minted-1');
    expect(store.fences).toEqual([]);
    expect(await store.get('c1')).toBeUndefined();
  });

  it('drops its memory of a credential when another instance evicts it', async () => {
    await service.getToken('c1', 60);
    expect(service.describe('c1').expiresAt).toBeDefined();
    await store.evict('c1');
    await busDeliver(bus, { type: 'evicted', credentialId: 'c1', origin: 'another-instance' });
    expect(service.describe('c1').expiresAt).toBeUndefined();
  });
});

/** Hands `event` to the bus's listeners as if it came from another instance over Redis. */
async function busDeliver(bus: LocalFleetBus, event: FleetEvent): Promise<void> {
  const listeners = (bus as unknown as { listeners: Set<(event: FleetEvent) => void> }).listeners;
  for (const listener of listeners) listener(event);
}
