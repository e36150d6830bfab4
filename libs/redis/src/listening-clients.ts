import { Cluster, type Command, Redis } from 'ioredis';
import { listeningDeadline } from './listening-deadline';
import { CIRCUIT_OPEN, RedisCircuit } from './redis-circuit';

/** What a command that outlived its budget is rejected with (the same text as ioredis's own timeout). */
export const COMMAND_TIMED_OUT = 'Command timed out';

type ListeningClient = ListeningRedis | ListeningCluster;

/**
 * Refuses a command at once while the circuit is open, else arms a listening-time deadline on it: ioredis's
 * own `commandTimeout` is a plain timer, which under CPU starvation rejects commands whose replies are
 * already waiting in the socket. A command that does outlive its budget trips the circuit.
 */
function guard(client: ListeningClient, command: Command, send: () => unknown): unknown {
  const { circuit, commandBudgetMs } = client;
  if (circuit.isOpen && !circuit.passNext) {
    command.reject(new Error(CIRCUIT_OPEN));
    return command.promise;
  }
  const result = send();
  if (commandBudgetMs !== undefined && !command.isSettled) {
    const cancel = listeningDeadline(commandBudgetMs, () => {
      if (command.isSettled) return;
      command.reject(new Error(COMMAND_TIMED_OUT));
      if (client.status === 'ready') circuit.trip();
    });
    command.promise.then(cancel, cancel);
  }
  return result;
}

/** A standalone or Sentinel client with listening-time command timeouts and a circuit breaker. */
export class ListeningRedis extends Redis {
  commandBudgetMs: number | undefined;
  readonly circuit = new RedisCircuit(() => this.ping());

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    return guard(this, command, () => super.sendCommand(command, stream));
  }
}

/** A Cluster client with listening-time command timeouts and a circuit breaker. */
export class ListeningCluster extends Cluster {
  commandBudgetMs: number | undefined;
  readonly circuit = new RedisCircuit(() => this.ping());

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    return guard(this, command, () => super.sendCommand(command, stream, node));
  }
}

/**
 * Whether Redis can be counted on now: connected, and not known to be unanswering. False means the
 * documented Redis-down behaviour applies (serve what is held; an instance may mint for itself alone).
 */
export function isRedisReachable(client: Redis | Cluster): boolean {
  if (client.status !== 'ready') return false;
  return !((client instanceof ListeningRedis || client instanceof ListeningCluster) && client.circuit.isOpen);
}
