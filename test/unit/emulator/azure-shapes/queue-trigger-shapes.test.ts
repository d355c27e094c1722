import { describe, expect, test } from 'vitest';
import { newQueueMessage, queuePayload } from '../../../../emulator/providers/azure/trigger-payloads';
import { HOST_TIME, plain } from './host-values';

const metadataOf = (text: string, at = new Date('2024-02-05T04:06:14.109Z')) => {
  const message = newQueueMessage(text, at);
  message.dequeueCount = 1;
  const payload = queuePayload(message);
  return {
    message,
    metadata: Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, plain(v)])),
  };
};

describe('storage queue trigger metadata as the Functions host sends it', () => {
  test('times in the host format (whole seconds, +00:00); the message fields', () => {
    const { message, metadata } = metadataOf('plain words');
    expect(metadata).toEqual({
      QueueTrigger: 'plain words',
      DequeueCount: 1,
      Id: message.id,
      PopReceipt: message.popReceipt,
      InsertionTime: '2024-02-05T04:06:14+00:00',
      ExpirationTime: '2024-02-12T04:06:14+00:00',
      NextVisibleTime: expect.stringMatching(HOST_TIME),
    });
    expect(metadata.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('a JSON object message: its properties join the metadata, so {name} binding expressions resolve', () => {
    const text = '{"name":"report.pdf","size":3,"nested":{"a":[1,2]},"flag":true,"none":null}';
    const { metadata } = metadataOf(text);
    expect(metadata).toMatchObject({
      QueueTrigger: text,
      DequeueCount: 1,
      name: 'report.pdf',
      size: 3,
      nested: { a: [1, 2] },
      flag: true,
      none: null,
    });
    expect(metadata.InsertionTime).toMatch(HOST_TIME);
  });

  test("on a name clash the message's property wins (case-insensitively), under the host's name", () => {
    const { metadata } = metadataOf('{"id":"mine","DEQUEUECOUNT":"x"}');
    expect(metadata.Id).toBe('mine');
    expect(metadata.DequeueCount).toBe('x');
    expect(Object.keys(metadata)).not.toContain('id');
    expect(Object.keys(metadata)).not.toContain('DEQUEUECOUNT');
  });

  test('JSON that is not an object, and text, add nothing', () => {
    for (const text of ['[1,2]', '42', '"s"', 'not json {', '']) {
      expect(Object.keys(metadataOf(text).metadata).sort()).toEqual([
        'DequeueCount',
        'ExpirationTime',
        'Id',
        'InsertionTime',
        'NextVisibleTime',
        'PopReceipt',
        'QueueTrigger',
      ]);
    }
  });
});
