import { createHash, randomUUID } from 'node:crypto';
import type { TypedData } from './azure-http';

/**
 * What the host hands the worker for timer, storage queue and storage blob triggers: the trigger
 * value and the trigger metadata, with the host's PascalCase names (the library camel-cases them).
 */
export interface TriggerPayload {
  data: TypedData;
  metadata: Record<string, TypedData>;
}

const json = (value: unknown): TypedData => ({ json: JSON.stringify(value) });

/**
 * A time as the host hands a trigger's DateTime/DateTimeOffset to the worker: Json.NET's
 * round-trip form on a UTC host, `2016-10-04T10:15:00+00:00` (Timer trigger docs, "Usage": the
 * timer object; the host serialises non-string binding data with Json.NET, `ToRpcDefault`).
 * Storage keeps times to the second; timer occurrences are whole seconds.
 */
export function hostTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** `default(DateTime)`: what the host's schedule status holds before a timer's first run. */
export const NEVER = new Date('0001-01-01T00:00:00Z');

/** A timer's schedule status as the schedule monitor records it. */
export interface ScheduleStatus {
  /** The previous run (NEVER before the first). */
  last: Date;
  /** The occurrence the next run is for. */
  next: Date;
  /** When the status was last written (NEVER before the first run). */
  lastUpdated: Date;
}

/**
 * The `TimerInfo` a timer function receives (Timer trigger docs, "Usage"): the schedule status
 * recorded before this run — `Last` the previous run, `Next` the occurrence that is firing now,
 * `LastUpdated` with `Last` — or null when the schedule is not monitored (`useMonitor`).
 */
export function timerPayload(status: ScheduleStatus | null, isPastDue = false): TriggerPayload {
  return {
    data: json({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status && {
        Last: hostTime(status.last),
        Next: hostTime(status.next),
        LastUpdated: hostTime(status.lastUpdated),
      },
      IsPastDue: isPastDue,
    }),
    metadata: {},
  };
}

/** One delivery of a queue message (`dequeueCount` grows with each retry). */
export interface QueueMessage {
  id: string;
  popReceipt: string;
  text: string;
  insertionTime: Date;
  expirationTime: Date;
  dequeueCount: number;
}

export function newQueueMessage(text: string, now = new Date()): QueueMessage {
  return {
    id: randomUUID(),
    popReceipt: Buffer.from(randomUUID()).toString('base64').slice(0, 24),
    text,
    insertionTime: now,
    // Storage queues keep a message 7 days by default.
    expirationTime: new Date(now.getTime() + 7 * 24 * 3600 * 1000),
    dequeueCount: 0,
  };
}

/** The top-level properties of a JSON object message; nothing for other JSON or plain text. */
function jsonProperties(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The trigger data and metadata of a queue message, as the storage extension's QueueTriggerBinding
 * builds its binding data: QueueTrigger, DequeueCount, the message times, Id and PopReceipt; then,
 * for a JSON object message, each of its properties, which win over those names on a clash
 * (case-insensitively) — how `{name}` binding expressions resolve ("Azure Functions binding
 * expression patterns": JSON payloads). Times are DateTimeOffsets, sent as JSON strings.
 */
export function queuePayload(message: QueueMessage, now = new Date()): TriggerPayload {
  // The listener takes a message out of sight for 10 minutes while the function runs.
  const nextVisible = new Date(now.getTime() + 10 * 60_000);
  const metadata: Record<string, TypedData> = {
    QueueTrigger: { string: message.text },
    DequeueCount: { json: String(message.dequeueCount) },
    ExpirationTime: json(hostTime(message.expirationTime)),
    Id: { string: message.id },
    InsertionTime: json(hostTime(message.insertionTime)),
    NextVisibleTime: json(hostTime(nextVisible)),
    PopReceipt: { string: message.popReceipt },
  };
  for (const [key, value] of Object.entries(jsonProperties(message.text))) {
    const same = Object.keys(metadata).find((name) => name.toLowerCase() === key.toLowerCase());
    metadata[same ?? key] = json(value);
  }
  return {
    // A JSON message arrives deserialised, anything else as a string (the library's tryJsonParse).
    data: { string: message.text },
    metadata,
  };
}

export function blobPayload(input: {
  account: string;
  container: string;
  name: string;
  content: Buffer;
  contentType: string;
  /** Values of the `{…}` parts of the trigger path. */
  pathParams: Record<string, string>;
}): TriggerPayload {
  const now = new Date();
  const uri = `http://127.0.0.1:10000/${input.account}/${input.container}/${input.name.split('/').map(encodeURIComponent).join('/')}`;
  const metadata: Record<string, TypedData> = {
    BlobTrigger: { string: `${input.container}/${input.name}` },
    Uri: { string: uri },
    Properties: json({
      ContentType: input.contentType,
      ContentLength: input.content.length,
      ContentMD5: createHash('md5').update(input.content).digest('base64'),
      ETag: `"0x${createHash('sha1').update(input.content).digest('hex').slice(0, 15).toUpperCase()}"`,
      BlobType: 'BlockBlob',
      CreatedOn: now.toISOString(),
      LastModified: now.toISOString(),
    }),
    Metadata: json({}),
  };
  for (const [key, value] of Object.entries(input.pathParams)) metadata[key] = { string: value };
  return { data: { bytes: input.content }, metadata };
}

/**
 * `container/{name}` style blob trigger paths: literal text and `{param}` parts; the container
 * is the first segment. Undefined when the blob does not match.
 */
export function matchBlobPath(
  pattern: string,
  container: string,
  name: string,
): Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) => {
      const param = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] ?? '');
      return '(.+?)';
    })
    .join('');
  const found = new RegExp(`^${source}$`).exec(`${container}/${name}`);
  if (!found) return undefined;
  return Object.fromEntries(names.map((key, index) => [key, found[index + 1] ?? '']));
}
