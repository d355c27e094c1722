import type { FunctionModel } from '../../../common/service/service-model';
import type { EmulatorLogger } from '../../logger';
import type { LambdaFunction } from './lambda-function';
import { scheduledEvent } from './sample-events';
import { parseSchedule, type Schedule } from './schedule-expression';

interface ScheduledTrigger {
  schedule: Schedule;
  /** `input` from serverless.yml replaces the EventBridge event, as in the cloud. */
  input: unknown;
  ruleName: string;
}

/** Reads `schedule` events: `rate(...)`, `cron(...)`, or `{ rate: [...], enabled, input }`. */
export function scheduleTriggers(fn: FunctionModel, where: string): ScheduledTrigger[] {
  const triggers: ScheduledTrigger[] = [];
  fn.events.forEach((event, index) => {
    if (!('schedule' in event)) return;
    const spec = event.schedule;
    const record =
      typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : { rate: spec };
    if (record.enabled === false) return;
    const rates = Array.isArray(record.rate) ? record.rate : [record.rate];
    rates.forEach((rate, rateIndex) => {
      triggers.push({
        schedule: parseSchedule(String(rate), `${where}.functions.${fn.key}.events[${index}].schedule`),
        input: record.input,
        ruleName: `${fn.name}-schedule-${index + 1}${rates.length > 1 ? `-${rateIndex + 1}` : ''}`,
      });
    });
  });
  return triggers;
}

/**
 * Fires scheduled invocations on time while the emulator runs. EventBridge invokes a function
 * asynchronously: each firing is handed to `submit` (Lambda's queue: throttling, retries, destinations).
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly logger: EmulatorLogger,
    private readonly context: { region: string; accountId: string },
    private readonly submit: (lambda: LambdaFunction, payload: Buffer, trigger: string) => void,
  ) {}

  add(lambda: LambdaFunction, trigger: ScheduledTrigger): void {
    const arm = (after: Date) => {
      const next = trigger.schedule.next(after);
      if (!next || this.stopped) return;
      // setTimeout's limit is ~24.8 days; re-arm in steps for sparse schedules.
      const delay = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          if (Date.now() + 5 < next.getTime()) return arm(new Date(Date.now() - 1));
          const event =
            trigger.input ??
            scheduledEvent({ ...this.context, functionName: lambda.name }, trigger.ruleName, next);
          this.logger.line(lambda.name, `schedule ${trigger.schedule.expression} fired`);
          this.submit(lambda, Buffer.from(JSON.stringify(event)), 'schedule');
          arm(next);
        },
        Math.max(0, delay),
      );
      timer.unref();
      this.timers.add(timer);
    };
    arm(new Date());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
