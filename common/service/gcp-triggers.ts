import type { FunctionModel } from './service-model';

/** An event trigger of a GCP function, from its serverless.yml `events`. */
export type GcpTrigger =
  | { kind: 'pubsub'; topic: string }
  | { kind: 'storage'; bucket: string; event: 'finalized' | 'deleted' | 'archived' | 'metadataUpdated' };

/** `pubsub: topic` or `pubsub: { topic }`; `storage: { bucket, event }` (event defaults to finalized). */
export function gcpTriggers(fn: FunctionModel): GcpTrigger[] {
  const triggers: GcpTrigger[] = [];
  for (const event of fn.events) {
    const pubsub = event.pubsub;
    if (typeof pubsub === 'string') triggers.push({ kind: 'pubsub', topic: topicName(pubsub) });
    else if (isRecord(pubsub) && typeof pubsub.topic === 'string')
      triggers.push({ kind: 'pubsub', topic: topicName(pubsub.topic) });
    const storage = event.storage;
    if (isRecord(storage) && typeof storage.bucket === 'string') {
      const kind = storage.event;
      triggers.push({
        kind: 'storage',
        bucket: storage.bucket,
        event: kind === 'deleted' || kind === 'archived' || kind === 'metadataUpdated' ? kind : 'finalized',
      });
    }
  }
  return triggers;
}

/** `projects/p/topics/t` or `t` → `t`. */
export function topicName(topic: string): string {
  const match = /^projects\/[^/]+\/topics\/([^/]+)$/.exec(topic);
  return match ? (match[1] ?? topic) : topic;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
