import { createHash, randomBytes } from 'node:crypto';
import { crc32cBase64 } from '../../../common/crc32c';

/** A CloudEvent in binary mode: attributes as `ce-*` headers, the data as the JSON body. */
export interface BinaryCloudEvent {
  headers: [string, string][];
  body: Buffer;
  id: string;
  type: string;
  source: string;
}

export const PUBSUB_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';
export const STORAGE_FINALIZED = 'google.cloud.storage.object.v1.finalized';

function binaryEvent(attributes: {
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  data: unknown;
}): BinaryCloudEvent {
  const headers: [string, string][] = [
    ['ce-id', attributes.id],
    ['ce-specversion', '1.0'],
    ['ce-type', attributes.type],
    ['ce-source', attributes.source],
    ['ce-time', attributes.time],
  ];
  if (attributes.subject) headers.push(['ce-subject', attributes.subject]);
  headers.push(['content-type', 'application/json; charset=utf-8']);
  return {
    headers,
    body: Buffer.from(JSON.stringify(attributes.data)),
    id: attributes.id,
    type: attributes.type,
    source: attributes.source,
  };
}

/** Pub/Sub message ids are decimal strings of about 16 digits. */
export function pubsubMessageId(): string {
  return String(1e15 + (randomBytes(6).readUIntBE(0, 6) % 9e15));
}

/**
 * `messagePublished` as Eventarc pushes it to a function subscribed to `topic`. The message
 * carries its id and publish time twice, `messageId`/`publishTime` and `message_id`/`publish_time`,
 * as Pub/Sub's push payload does (Pub/Sub docs, "Push subscriptions": the push request body;
 * google-cloudevents `MessagePublishedData` names the camelCase pair).
 */
export function pubsubMessagePublished(input: {
  project: string;
  topic: string;
  subscription: string;
  data: Buffer;
  attributes?: Record<string, string>;
  messageId?: string;
  publishTime?: Date;
}): BinaryCloudEvent {
  const messageId = input.messageId ?? pubsubMessageId();
  const publishTime = (input.publishTime ?? new Date()).toISOString();
  return binaryEvent({
    id: messageId,
    type: PUBSUB_PUBLISHED,
    source: `//pubsub.googleapis.com/projects/${input.project}/topics/${input.topic}`,
    time: publishTime,
    data: {
      subscription: `projects/${input.project}/subscriptions/${input.subscription}`,
      message: {
        data: input.data.toString('base64'),
        attributes: input.attributes ?? {},
        messageId,
        message_id: messageId,
        publishTime,
        publish_time: publishTime,
      },
    },
  });
}

/** A protobuf varint: seven bits a byte, least significant first, the high bit on all but the last. */
function varint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

/**
 * An object's etag as the Cloud Storage JSON API gives it (Cloud Storage docs, "Objects" resource:
 * `etag`, "HTTP 1.1 Entity tag for the object"): base64 of a protobuf message holding the
 * generation (field 1) and the metageneration (field 2) as varints — `CI/P86yL4/MCEAE=` for
 * generation 1635079916677007, metageneration 1. It changes with either, as GCS's does.
 */
export function gcsObjectEtag(generation: string, metageneration = '1'): string {
  return Buffer.from([0x08, ...varint(BigInt(generation)), 0x10, ...varint(BigInt(metageneration))]).toString(
    'base64',
  );
}

/**
 * `finalized` for a new object: the object's metadata, numbers as strings, as Cloud Storage sends
 * it (google-cloudevents `StorageObjectData`). The generation is the creation time in microseconds.
 */
export function storageObjectFinalized(input: {
  bucket: string;
  name: string;
  content: Buffer;
  contentType?: string;
  created?: Date;
  generation?: string;
}): BinaryCloudEvent {
  const created = input.created ?? new Date();
  const generation = input.generation ?? String(created.getTime() * 1000 + Math.floor(Math.random() * 1000));
  // A new object's metadata is at its first version.
  const metageneration = '1';
  const md5Hash = createHash('md5').update(input.content).digest('base64');
  const time = created.toISOString();
  const encodedName = encodeURIComponent(input.name);
  return binaryEvent({
    id: `${input.bucket}/${input.name}/${generation}`,
    type: STORAGE_FINALIZED,
    source: `//storage.googleapis.com/projects/_/buckets/${input.bucket}`,
    subject: `objects/${input.name}`,
    time,
    data: {
      kind: 'storage#object',
      id: `${input.bucket}/${input.name}/${generation}`,
      selfLink: `https://www.googleapis.com/storage/v1/b/${input.bucket}/o/${encodedName}`,
      name: input.name,
      bucket: input.bucket,
      generation,
      metageneration,
      contentType: input.contentType ?? 'application/octet-stream',
      timeCreated: time,
      updated: time,
      storageClass: 'STANDARD',
      timeStorageClassUpdated: time,
      size: String(input.content.length),
      md5Hash,
      mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${input.bucket}/o/${encodedName}?generation=${generation}&alt=media`,
      crc32c: crc32cBase64(input.content),
      etag: gcsObjectEtag(generation, metageneration),
    },
  });
}
