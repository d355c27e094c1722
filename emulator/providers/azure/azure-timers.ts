import { UserError } from '../../../common/errors';
import type { EmulatorLogger } from '../../logger';
import { stamped } from './azure-app';
import { parseSchedule, type Schedule } from './ncrontab';
import { type AppTrigger, deliver, type TriggerDelivery } from './trigger-delivery';
import { NEVER, type ScheduleStatus, timerPayload } from './trigger-payloads';

type TimerEntry = AppTrigger & {
  schedule: Schedule;
  /** Whether the schedule monitor keeps this timer's status, which its runs then receive. */
  monitored: boolean;
  /** The status as the host keeps it: what the next run receives. */
  status: ScheduleStatus;
  begun: boolean;
};

/**
 * `useMonitor` (Timer trigger docs, "Configuration"): as set, else true for schedules that recur
 * once a minute or less often, false for those that fire more than once a minute.
 */
function monitoredByDefault(schedule: Schedule, now: Date): boolean {
  const first = schedule.next(now);
  return schedule.next(first).getTime() - first.getTime() >= 60_000;
}

/**
 * Timer triggers on their six-field NCRONTAB schedules (UTC), with runOnStartup. Each timer keeps
 * its schedule status as the host's TimerListener does: at start `Last` is `default(DateTime)` and
 * `Next` the first occurrence; a run receives the status recorded before it, then the status moves
 * on (`Last` = `LastUpdated` = the run's time, `Next` = the occurrence after it). `IsPastDue` is
 * false: only a status persisted across host restarts can show a missed occurrence, and the
 * emulator keeps none.
 */
export class AzureTimers {
  private timers: TimerEntry[] = [];
  private readonly handles = new Set<NodeJS.Timeout>();
  private started = false;
  private stopped = false;

  constructor(private readonly logger: EmulatorLogger) {}

  /** Adds a registered timer function; a bad schedule fails before anything serves. */
  add(target: AppTrigger): void {
    this.timers.push(this.entry(target));
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
    for (const timer of this.timers) this.begin(timer, true);
  }

  /** Arms what was added since start (after a reload re-collected the timers). */
  rearm(): void {
    if (this.started) for (const timer of this.timers) this.begin(timer, false);
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.handles) clearTimeout(handle);
  }

  /** `faasport emulate invoke --event timer`: the function runs now, as if its schedule came due. */
  sample(target: AppTrigger): Promise<TriggerDelivery> {
    const timer =
      this.timers.find((t) => t.app === target.app && t.fn.name === target.fn.name) ?? this.entry(target);
    return deliver(
      target,
      timerPayload(timer.monitored ? { ...timer.status } : null),
      `Timer fired at ${new Date().toISOString()}`,
    );
  }

  private entry(target: AppTrigger): TimerEntry {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(String(target.trigger.schedule ?? ''));
    } catch (error) {
      throw new UserError(`${target.app.name}: timer ${target.fn.name}: ${(error as Error).message}`, {
        hint: 'Azure timers use six-field NCRONTAB in UTC, e.g. "0 */5 * * * *" (every five minutes).',
      });
    }
    const now = new Date();
    const useMonitor = target.trigger.useMonitor;
    return {
      ...target,
      schedule,
      monitored: typeof useMonitor === 'boolean' ? useMonitor : monitoredByDefault(schedule, now),
      status: { last: NEVER, next: schedule.next(now), lastUpdated: NEVER },
      begun: false,
    };
  }

  /** The listener starts: a fresh status, the start-up run if asked for, then the schedule. */
  private begin(timer: TimerEntry, startup: boolean): void {
    if (timer.begun) return;
    timer.begun = true;
    timer.status = { last: NEVER, next: timer.schedule.next(new Date()), lastUpdated: NEVER };
    if (startup && timer.trigger.runOnStartup === true)
      void this.fire(timer, true).finally(() => this.arm(timer));
    else this.arm(timer);
  }

  private arm(timer: TimerEntry): void {
    if (this.stopped || !this.timers.includes(timer)) return;
    const next = timer.status.next;
    // setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const handle = setTimeout(
      () => {
        this.handles.delete(handle);
        if (!this.timers.includes(timer)) return;
        if (Date.now() + 5 < next.getTime()) return this.arm(timer);
        void this.fire(timer, false).finally(() => this.arm(timer));
      },
      Math.max(0, wait),
    );
    handle.unref();
    this.handles.add(handle);
  }

  private async fire(timer: TimerEntry, startup: boolean): Promise<void> {
    const invoked = new Date();
    const payload = timerPayload(timer.monitored ? { ...timer.status } : null, false);
    const reason = startup
      ? 'Timer fired at startup (runOnStartup)'
      : `Timer fired at ${timer.status.next.toISOString()}`;
    await deliver(timer, payload, reason).catch((error: unknown) =>
      this.logger.line(timer.app.name, stamped(`timer ${timer.fn.name}: ${String(error)}`), 'stderr'),
    );
    // As TimerListener.InvokeJobFunction: a run that fired a little early counts as its occurrence.
    const ran = !startup && timer.status.next > invoked ? timer.status.next : invoked;
    timer.status = { last: ran, next: timer.schedule.next(ran), lastUpdated: ran };
  }
}
