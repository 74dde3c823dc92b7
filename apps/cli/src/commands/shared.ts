import type { CommandContext } from '../commands.js';
import { UsageError } from '../errors.js';

/** Remote (Flyte) modes are not in this release: `train` and `predict` need `--local`. */
export function requireLocal(command: 'train' | 'predict', values: CommandContext['values']): void {
  if (values['local'] === true) return;
  const doing = command === 'train' ? 'training' : 'prediction';
  throw new UsageError(`remote ${doing} on Flyte is not available in this release; pass --local to run ${command} in this process`, command, {
    code: 'REMOTE_NOT_AVAILABLE',
  });
}

/** A string option's value, if given. */
export function option(values: CommandContext['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
