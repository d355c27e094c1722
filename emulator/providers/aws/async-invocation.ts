import { randomUUID } from 'node:crypto';
import { UserError } from '../../../common/errors';
import { ThrottledError } from '../../pool/instance-pool';
import type { LambdaFunction, LambdaInvokeResult } from './lambda-function';

/**
 * A function's asynchronous invocation settings, as the Serverless Framework writes them
 * (`maximumRetryAttempts`, `maximumEventAge`, `destinations`) and Lambda applies them to Event
 * invokes and to the services that invoke asynchronously (EventBridge schedules here).
 */
export interface AsyncInvokeConfig {
  /** Runs after a function error: 0–2, Lambda's default 2. */
  maximumRetryAttempts: number;
  /** An event older than this is not run again: 60 s – 6 h, Lambda's default 6 h. */
  maximumEventAgeMs: number;
  onSuccess: string | undefined;
  onFailure: string | undefined;
}

const DEFAULT_RETRIES = 2;
const MAX_EVENT_AGE_S = 6 * 60 * 60;
/** Lambda waits a minute before the first retry and two before the second. */
export const DEFAULT_RETRY_BASE_DELAY_MS = 60_000;
/** Between tries of a throttled event: doubling from the first to the last, jittered. */
const THROTTLED_RETRY_FIRST_MS = 100;
const THROTTLED_RETRY_MAX_MS = 1000;
/** A record printed for a destination the emulator cannot deliver to is cut here. */
const PRINTED_RECORD_CHARS = 4096;

export function asyncInvokeConfig(
  declared: Record<string, unknown>,
  where: string,
  /** The service's function keys: what a destination written without an ARN must name. */
  functionKeys: readonly string[] = [],
): AsyncInvokeConfig {
  const retries = declared.maximumRetryAttempts ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || (retries as number) < 0 || (retries as number) > 2)
    throw new UserError(`${where}.maximumRetryAttempts: ${JSON.stringify(retries)} is not 0, 1 or 2`, {
      exitCode: 2,
    });
  const age = declared.maximumEventAge ?? MAX_EVENT_AGE_S;
  if (!Number.isInteger(age) || (age as number) < 60 || (age as number) > MAX_EVENT_AGE_S)
    throw new UserError(
      `${where}.maximumEventAge: ${JSON.stringify(age)} is not a number of seconds from 60 to 21600`,
      {
        exitCode: 2,
      },
    );
  const destinations = isRecord(declared.destinations) ? declared.destinations : {};
  return {
    maximumRetryAttempts: retries as number,
    maximumEventAgeMs: (age as number) * 1000,
    onSuccess: destination(destinations.onSuccess, `${where}.destinations.onSuccess`, functionKeys),
    onFailure: destination(destinations.onFailure, `${where}.destinations.onFailure`, functionKeys),
  };
}

/**
 * A destination as the framework reads it: an ARN, a function key of the service, or
 * `{ type, arn }` with a CloudFormation reference — `Fn::GetAtt: [<Key>LambdaFunction, Arn]` names a
 * function of the service; another reference names nothing local and is kept as text.
 */
function destination(value: unknown, where: string, functionKeys: readonly string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.startsWith('arn:')) return value;
  if (typeof value === 'string' && value) {
    if (functionKeys.includes(value)) return value;
    throw new UserError(`${where}: "${value}" is no function of this service`, {
      hint: `Name a function of this service (${functionKeys.join(', ')}) or write an ARN.`,
      exitCode: 2,
    });
  }
  if (isRecord(value) && isRecord(value.arn)) {
    const attribute = value.arn['Fn::GetAtt'];
    if (Array.isArray(attribute) && attribute[1] === 'Arn') {
      const key = functionKeys.find((name) => lambdaLogicalId(name) === attribute[0]);
      if (key) return key;
    }
    return JSON.stringify(value.arn);
  }
  throw new UserError(`${where}: a function key, an ARN or { type, arn } is expected`, { exitCode: 2 });
}

/** The framework's CloudFormation name of a function: `my-fn` → `MyDashfnLambdaFunction`. */
function lambdaLogicalId(functionKey: string): string {
  const alphanumeric = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${alphanumeric.charAt(0).toUpperCase()}${alphanumeric.slice(1)}LambdaFunction`;
}

export type AsyncCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface AsyncExtras {
  /** The id the caller was given (the Invoke API's 202); the record's `requestId`. */
  requestId: string;
  clientContext?: string;
  /** For the event stream: `invoke`, `schedule`, `destination`. */
  trigger?: string;
  /** Destinations followed to get here: a chain is stopped at RECURSION_LIMIT. */
  depth?: number;
}

/** Lambda's recursive loop detection stops a chain of invocations after 16. */
const RECURSION_LIMIT = 16;

export interface AsyncInvokerOptions {
  /** The service's functions, by key, name or ARN: the destinations the emulator can deliver to. */
  find: (reference: string) => LambdaFunction | undefined;
  configFor: (fn: LambdaFunction) => AsyncInvokeConfig;
  log: (source: string, line: string, stream?: 'stdout' | 'stderr') => void;
  /** The wait before the first retry after a function error (the second waits twice as long). */
  retryBaseDelayMs: number;
}

/**
 * Lambda's internal queue for asynchronous invocations: a throttled event waits and is tried
 * again until it runs or is too old; a function error is retried `maximumRetryAttempts` times, a
 * minute then two apart; the outcome goes to the `onSuccess` / `onFailure` destination as an
 * invocation record. Nothing is dropped without a line on stderr.
 */
export class AsyncInvoker {
  private stopped = false;
  private pending = 0;
  /** Waits in progress: ended at stop. */
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: (ran: boolean) => void }>();

  constructor(private readonly options: AsyncInvokerOptions) {}

  /** Accepts the event and runs it in the background, as an Event invoke's 202 promises. */
  submit(fn: LambdaFunction, payload: Buffer, extras: AsyncExtras): void {
    if (this.stopped) {
      this.options.log(
        'faasport',
        `${fn.name}: asynchronous invocation ${extras.requestId} dropped: the emulator is stopping`,
        'stderr',
      );
      return;
    }
    this.pending += 1;
    void this.run(fn, payload, extras).finally(() => {
      this.pending -= 1;
    });
  }

  /** Ends the waits; what is queued or running is dropped with one line (no retry, no destination). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pending > 0)
      this.options.log(
        'faasport',
        `${this.pending} asynchronous invocation${this.pending === 1 ? '' : 's'} queued or running at stop: their retries and destinations are dropped`,
        'stderr',
      );
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve(false);
    }
    this.waits.clear();
  }

  private async run(fn: LambdaFunction, payload: Buffer, extras: AsyncExtras): Promise<void> {
    const config = this.options.configFor(fn);
    const received = Date.now();
    const tooOld = () => Date.now() - received >= config.maximumEventAgeMs;
    let attempts = 0;
    let throttled = 0;
    let last: LambdaInvokeResult | undefined;
    for (;;) {
      if (this.stopped) return;
      let result: LambdaInvokeResult;
      try {
        result = await fn.invoke(payload, {
          requestId: extras.requestId,
          ...(extras.clientContext ? { clientContext: extras.clientContext } : {}),
          trigger: attempts === 0 ? (extras.trigger ?? 'invoke') : 'retry',
        });
      } catch (error) {
        if (this.stopped) return; // said by stop()
        if (!(error instanceof ThrottledError)) {
          // Not the function's error (its instance could not be run): said, and the record sent.
          this.options.log(
            fn.name,
            `asynchronous invocation ${extras.requestId} could not run: ${(error as Error).message}`,
            'stderr',
          );
          return this.finish(fn, payload, extras, 'RetriesExhausted', attempts, last, config);
        }
        // Reserved concurrency 0: Lambda sends the event to the on-failure destination at once
        // (AWS names no condition for it; RetriesExhausted with no attempt is the closest).
        if (error.limit === 0)
          return this.finish(fn, payload, extras, 'RetriesExhausted', attempts, last, config);
        // Throttled: not an attempt; tried again (jittered; Lambda backs off from 1 s to 5 min, a
        // dev loop wants it sooner) until the event is too old.
        if (tooOld()) return this.finish(fn, payload, extras, 'EventAgeExceeded', attempts, last, config);
        const ceiling = Math.min(THROTTLED_RETRY_MAX_MS, THROTTLED_RETRY_FIRST_MS * 2 ** throttled);
        throttled += 1;
        if (!(await this.wait(ceiling / 2 + Math.random() * (ceiling / 2)))) return;
        continue;
      }
      attempts += 1;
      last = result;
      if (!result.functionError) return this.finish(fn, payload, extras, 'Success', attempts, result, config);
      if (attempts > config.maximumRetryAttempts)
        return this.finish(fn, payload, extras, 'RetriesExhausted', attempts, result, config);
      const delay = this.options.retryBaseDelayMs * attempts;
      if (Date.now() + delay - received >= config.maximumEventAgeMs)
        return this.finish(fn, payload, extras, 'EventAgeExceeded', attempts, result, config);
      this.options.log(
        fn.name,
        `asynchronous invocation ${extras.requestId} failed (${result.functionError.errorType}); retry ${attempts} of ${config.maximumRetryAttempts} in ${formatDelay(delay)}`,
        'stderr',
      );
      if (!(await this.wait(delay))) return;
      if (tooOld()) return this.finish(fn, payload, extras, 'EventAgeExceeded', attempts, result, config);
    }
  }

  private finish(
    fn: LambdaFunction,
    payload: Buffer,
    extras: AsyncExtras,
    condition: AsyncCondition,
    attempts: number,
    result: LambdaInvokeResult | undefined,
    config: AsyncInvokeConfig,
  ): void {
    if (this.stopped) return; // said by stop()
    if (condition !== 'Success')
      this.options.log(
        fn.name,
        `asynchronous invocation ${extras.requestId} ${condition === 'RetriesExhausted' ? `failed after ${attempts} attempt${attempts === 1 ? '' : 's'}` : 'dropped: older than its maximumEventAge'}${config.onFailure ? `; record sent to ${config.onFailure}` : ''}`,
        'stderr',
      );
    const target = condition === 'Success' ? config.onSuccess : config.onFailure;
    if (!target) return;
    const record = invocationRecord(fn, payload, extras.requestId, condition, attempts, result);
    const destinationFn = this.options.find(target);
    if (!destinationFn) {
      const text = JSON.stringify(record);
      this.options.log(
        fn.name,
        `${condition === 'Success' ? 'onSuccess' : 'onFailure'} destination ${target} is not a function of this service, so it is not emulated; the record: ${text.length > PRINTED_RECORD_CHARS ? `${text.slice(0, PRINTED_RECORD_CHARS)}…` : text}`,
        'stderr',
      );
      return;
    }
    const depth = (extras.depth ?? 0) + 1;
    if (depth >= RECURSION_LIMIT) {
      this.options.log(
        fn.name,
        `destination ${target} not invoked: ${RECURSION_LIMIT} invocations in one chain of destinations, where Lambda's recursive loop detection stops it`,
        'stderr',
      );
      return;
    }
    // Lambda invokes a function destination asynchronously, with the destination's own settings.
    this.submit(destinationFn, Buffer.from(JSON.stringify(record)), {
      requestId: randomUUID(),
      trigger: 'destination',
      depth,
    });
  }

  /** Resolves false when the invoker stops first. */
  private wait(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve(true);
        }, ms),
        resolve,
      };
      this.waits.add(wait);
    });
  }
}

/** The invocation record Lambda sends to a destination (AWS documents its fields). */
export function invocationRecord(
  fn: LambdaFunction,
  payload: Buffer,
  requestId: string,
  condition: AsyncCondition,
  attempts: number,
  result: LambdaInvokeResult | undefined,
): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `${fn.arn}:$LATEST`,
      condition,
      approximateInvokeCount: attempts,
    },
    requestPayload: jsonOrText(payload),
    ...(result
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(result.functionError ? { functionError: 'Unhandled' } : {}),
          },
          responsePayload: jsonOrText(result.payload),
        }
      : {}),
  };
}

function jsonOrText(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
