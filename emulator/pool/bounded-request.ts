import type { EngineInstance, InstanceExit } from '../engines/engine';
import type { DiscardReason } from './instance-pool';

export type RequestOutcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'timeout'; discard: DiscardReason }
  | { kind: 'exit'; exit: InstanceExit; discard: DiscardReason };

/**
 * One request on a leased instance, bounded by its time limit and by the instance's life:
 * whichever ends first. The limit is suspended while a debugger holds the instance. A timeout aborts the request; the outcome's `discard` is what the
 * caller hands to `InstancePool.release`, which kills the instance.
 */
export async function boundedRequest<T>(
  engine: EngineInstance,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<RequestOutcome<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    // While a debugger holds the instance (paused at a breakpoint, say), the limit waits.
    const arm = () => {
      timer = setTimeout(() => (engine.debugging?.() ? arm() : resolve('timeout')), timeoutMs);
    };
    arm();
  });
  const first = await Promise.race([
    work(controller.signal).then((value) => ({ value })),
    timedOut,
    engine.exited,
  ]).finally(() => clearTimeout(timer));
  if (first === 'timeout') {
    controller.abort();
    return { kind: 'timeout', discard: 'timeout' };
  }
  if ('value' in first) return { kind: 'done', value: first.value };
  return { kind: 'exit', exit: first, discard: first.outOfMemory ? 'out of memory' : 'crash' };
}
