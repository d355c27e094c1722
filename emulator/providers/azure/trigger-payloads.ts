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

export function timerPayload(fired: { last?: Date; next: Date; isPastDue?: boolean }): TriggerPayload {
  const status = {
    Last: (fired.last ?? new Date(0)).toISOString(),
    Next: fired.next.toISOString(),
    LastUpdated: new Date().toISOString(),
  };
  return {
    data: json({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status,
      IsPastDue: fired.isPastDue ?? false,
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

export function queuePayload(message: QueueMessage): TriggerPayload {
  const nextVisible = new Date(Date.now() + 10 * 60_000);
  return {
    // A JSON message arrives deserialised, anything else as a string (the library's tryJsonParse).
    data: { string: message.text },
    metadata: {
      QueueTrigger: { string: message.text },
      DequeueCount: { json: String(message.dequeueCount) },
      ExpirationTime: { string: message.expirationTime.toISOString() },
      Id: { string: message.id },
      InsertionTime: { string: message.insertionTime.toISOString() },
      NextVisibleTime: { string: nextVisible.toISOString() },
      PopReceipt: { string: message.popReceipt },
    },
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
