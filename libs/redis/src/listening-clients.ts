import { Cluster, type Command, Redis } from 'ioredis';
import { listeningDeadline } from './listening-deadline';

/** What a command that outlived its budget is rejected with (the same text as ioredis's own timeout). */
export const COMMAND_TIMED_OUT = 'Command timed out';

/**
 * Arms a listening-time deadline on one command: ioredis's own `commandTimeout` is a plain timer, which
 * under CPU starvation rejects commands whose replies are already waiting in the socket.
 */
function armDeadline(command: Command, budgetMs: number): void {
  if (command.isSettled) return;
  const cancel = listeningDeadline(budgetMs, () => {
    if (!command.isSettled) command.reject(new Error(COMMAND_TIMED_OUT));
  });
  command.promise.then(cancel, cancel);
}

/** A standalone or Sentinel client whose command timeout counts listening time only. */
export class ListeningRedis extends Redis {
  commandBudgetMs: number | undefined;

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const result = super.sendCommand(command, stream);
    if (this.commandBudgetMs !== undefined) armDeadline(command, this.commandBudgetMs);
    return result;
  }
}

/** A Cluster client whose command timeout counts listening time only. */
export class ListeningCluster extends Cluster {
  commandBudgetMs: number | undefined;

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    const result = super.sendCommand(command, stream, node);
    if (this.commandBudgetMs !== undefined) armDeadline(command, this.commandBudgetMs);
    return result;
  }
}
