import { UserError } from '../../../common/errors';
import type { EmulatorLogger } from '../../logger';
import { stamped } from './azure-app';
import { parseSchedule, type Schedule } from './ncrontab';
import { type AppTrigger, deliver, type TriggerDelivery } from './trigger-delivery';
import { timerPayload } from './trigger-payloads';

type TimerEntry = AppTrigger & { schedule: Schedule };

/** Timer triggers on their six-field NCRONTAB schedules (UTC), with runOnStartup. */
export class AzureTimers {
  private timers: TimerEntry[] = [];
  private readonly handles = new Set<NodeJS.Timeout>();
  private started = false;
  private stopped = false;

  constructor(private readonly logger: EmulatorLogger) {}

  /** Adds a registered timer function; a bad schedule fails before anything serves. */
  add(target: AppTrigger): void {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(String(target.trigger.schedule ?? ''));
    } catch (error) {
      throw new UserError(`${target.app.name}: timer ${target.fn.name}: ${(error as Error).message}`, {
        hint: 'Azure timers use six-field NCRONTAB in UTC, e.g. "0 */5 * * * *" (every five minutes).',
      });
    }
    this.timers.push({ ...target, schedule });
  }

  /** Forgets every timer (an app's registrations changed); armed ones are disarmed. */
  clear(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
    this.timers = [];
  }

  /** Arms timers (and fires those with runOnStartup). */
  start(): void {
    this.started = true;
    for (const timer of this.timers) {
      if (timer.trigger.runOnStartup === true) void this.fire(timer, new Date(), true);
      this.arm(timer, new Date());
    }
  }

  /** Arms what was added since start (after a reload re-collected the timers). */
  rearm(): void {
    if (this.started) for (const timer of this.timers) this.arm(timer, new Date());
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.handles) clearTimeout(handle);
  }

  /** `faasport emulate invoke --event timer`: the function runs now, as if its schedule came due. */
  sample(target: AppTrigger): Promise<TriggerDelivery> {
    return deliver(target, timerPayload({ next: new Date() }), `Timer fired at ${new Date().toISOString()}`);
  }

  private arm(timer: TimerEntry, from: Date): void {
    if (this.stopped) return;
    const next = timer.schedule.next(from);
    // setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const handle = setTimeout(
      () => {
        this.handles.delete(handle);
        if (Date.now() + 5 < next.getTime()) return this.arm(timer, new Date());
        void this.fire(timer, next, false).finally(() => this.arm(timer, next));
      },
      Math.max(0, wait),
    );
    handle.unref();
    this.handles.add(handle);
  }

  private async fire(timer: TimerEntry, at: Date, startup: boolean): Promise<void> {
    const payload = timerPayload({ next: timer.schedule.next(at), isPastDue: false });
    const reason = startup ? 'Timer fired at startup (runOnStartup)' : `Timer fired at ${at.toISOString()}`;
    await deliver(timer, payload, reason).catch((error: unknown) =>
      this.logger.line(timer.app.name, stamped(`timer ${timer.fn.name}: ${String(error)}`), 'stderr'),
    );
  }
}
