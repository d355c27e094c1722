import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/**
 * One kind of request of the fault suite's load: how it is sent and which answer is the right
 * one. Healthy kinds must get the function's own result; fault kinds the cloud's error shape.
 */
export type RequestKind =
  | 'healthy'
  | 'big'
  | 'crasher-ok'
  | 'crash'
  | 'sleeper-ok'
  | 'timeout'
  | 'hog-ok'
  | 'oom'
  | 'flood'
  | 'event'
  | 'poison';

/** Relative weights of the mix (each worker draws from it with a seeded generator). */
export const MIX: Record<RequestKind, number> = {
  healthy: 26,
  big: 2,
  'crasher-ok': 8,
  crash: 7,
  'sleeper-ok': 6,
  timeout: 5,
  'hog-ok': 5,
  oom: 4,
  flood: 5,
  event: 28,
  poison: 4,
};

/** The kinds that inject a fault into an instance. */
export const FAULT_KINDS = [
  'crash',
  'timeout',
  'oom',
  'flood',
  'poison',
] as const satisfies readonly RequestKind[];

/** Megabytes a `flood` request writes without a newline. */
export const FLOOD_MB = 4;

/** A `big` request's event: 4 MB, under Lambda's 6 MB (the emulator keeps recent ones for replay). */
const BIG_EVENT = { pad: 'x'.repeat(4 * 2 ** 20) };

export interface LoadTarget {
  /** The gateway's base URL (HTTP API routes). */
  gateway: string;
  lambda: LambdaClient;
  /** Deployed name of a function key (`<service>-<stage>-<key>`). */
  functionName(key: string): string;
  /** A new message id for an Event invoke, and whether it is meant to be recorded. */
  nextMessage(poison: boolean): string;
  /** No answer within this is a lost request. */
  answerBoundMs: number;
}

export interface Answer {
  /** What came back, in a few words (`200 {"ok":true,…}`, `Unhandled Sandbox.Timedout`, …). */
  summary: string;
  /** Undefined when it is the answer this kind must get; else what is wrong with it. */
  problem?: string;
}

const decoder = new TextDecoder();

async function get(target: LoadTarget, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${target.gateway}${path}`, {
    signal: AbortSignal.timeout(target.answerBoundMs),
  });
  return { status: response.status, body: await response.text() };
}

async function invoke(
  target: LoadTarget,
  key: string,
  event: unknown,
  type: 'RequestResponse' | 'Event' = 'RequestResponse',
): Promise<{ status: number | undefined; functionError: string | undefined; payload: string }> {
  const out = await target.lambda.send(
    new InvokeCommand({
      FunctionName: target.functionName(key),
      InvocationType: type,
      Payload: Buffer.from(JSON.stringify(event)),
    }),
    { abortSignal: AbortSignal.timeout(target.answerBoundMs) },
  );
  return {
    status: out.StatusCode,
    functionError: out.FunctionError,
    payload: out.Payload ? decoder.decode(out.Payload) : '',
  };
}

const short = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A 200 from an HTTP API route whose function returned `{ ok: true, … }` (and `extra`). */
function httpOk(got: { status: number; body: string }, extra: Record<string, unknown> = {}): Answer {
  const summary = `${got.status} ${short(got.body)}`;
  const body = parse(got.body);
  const right =
    got.status === 200 &&
    body?.ok === true &&
    Object.entries(extra).every(([name, value]) => body[name] === value);
  return right ? { summary } : { summary, problem: `expected 200 with ok: true, got ${summary}` };
}

/** A RequestResponse invoke that succeeded with `{ ok: true }`. */
function invokeOk(got: Awaited<ReturnType<typeof invoke>>): Answer {
  const summary = `${got.status} ${got.functionError ?? ''} ${short(got.payload)}`;
  const right = got.status === 200 && got.functionError === undefined && parse(got.payload)?.ok === true;
  return right ? { summary } : { summary, problem: `expected 200 with ok: true, got ${summary}` };
}

/** A RequestResponse invoke that failed the way Lambda reports it: 200, `X-Amz-Function-Error: Unhandled`, the error document. */
function invokeFailed(got: Awaited<ReturnType<typeof invoke>>, errorType: string): Answer {
  const summary = `${got.status} ${got.functionError ?? ''} ${short(got.payload)}`;
  const right =
    got.status === 200 && got.functionError === 'Unhandled' && parse(got.payload)?.errorType === errorType;
  return right ? { summary } : { summary, problem: `expected 200 Unhandled ${errorType}, got ${summary}` };
}

/** Sends one request of `kind` and judges its answer; rejects when no answer came (a lost request). */
export async function send(kind: RequestKind, target: LoadTarget): Promise<Answer> {
  switch (kind) {
    case 'healthy':
      return httpOk(await get(target, '/healthy'));
    case 'big':
      return invokeOk(await invoke(target, 'healthy', BIG_EVENT));
    case 'crasher-ok':
      return httpOk(await get(target, '/crash'));
    case 'crash': {
      // HTTP API's answer when the function failed: 500 {"message":"Internal Server Error"}.
      const got = await get(target, '/crash?crash=1');
      const summary = `${got.status} ${short(got.body)}`;
      const right = got.status === 500 && got.body === '{"message":"Internal Server Error"}';
      return right ? { summary } : { summary, problem: `expected 500 Internal Server Error, got ${summary}` };
    }
    case 'sleeper-ok':
      return invokeOk(await invoke(target, 'sleeper', {}));
    case 'timeout':
      return invokeFailed(await invoke(target, 'sleeper', { sleep: true }), 'Sandbox.Timedout');
    case 'hog-ok':
      return invokeOk(await invoke(target, 'hog', {}));
    case 'oom':
      return invokeFailed(await invoke(target, 'hog', { oom: true }), 'Runtime.OutOfMemory');
    case 'flood':
      return httpOk(await get(target, `/flood?mb=${FLOOD_MB}`), { wrote: FLOOD_MB });
    case 'event':
    case 'poison': {
      const poison = kind === 'poison';
      const id = target.nextMessage(poison);
      const got = await invoke(target, 'consumer', poison ? { id, poison } : { id }, 'Event');
      const summary = `${got.status} ${short(got.payload)}`;
      return got.status === 202 ? { summary } : { summary, problem: `expected 202, got ${summary}` };
    }
  }
}

/** A small seeded generator (mulberry32), so each worker's sequence of kinds is the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a kind from MIX. */
export function drawKind(random: () => number): RequestKind {
  const entries = Object.entries(MIX) as [RequestKind, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [kind, weight] of entries) {
    point -= weight;
    if (point < 0) return kind;
  }
  return 'healthy';
}
