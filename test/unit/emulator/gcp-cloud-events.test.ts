import { describe, expect, test } from 'vitest';
import { crc32c } from '../../../common/crc32c';
import { gcpTriggers, topicName } from '../../../common/service/gcp-triggers';
import type { FunctionModel } from '../../../common/service/service-model';
import { pubsubMessagePublished, storageObjectFinalized } from '../../../emulator/providers/gcp/cloud-events';

const header = (headers: [string, string][], name: string) => headers.find(([k]) => k === name)?.[1];

describe('GCP CloudEvents in binary mode', () => {
  test('Pub/Sub messagePublished: ce-* headers and the push body', () => {
    const event = pubsubMessagePublished({
      project: 'p',
      topic: 't',
      subscription: 's',
      data: Buffer.from('{"a":1}'),
      attributes: { k: 'v' },
      messageId: '1234567890123456',
      publishTime: new Date('2024-02-05T04:06:14.109Z'),
    });
    expect(header(event.headers, 'ce-specversion')).toBe('1.0');
    expect(header(event.headers, 'ce-type')).toBe('google.cloud.pubsub.topic.v1.messagePublished');
    expect(header(event.headers, 'ce-source')).toBe('//pubsub.googleapis.com/projects/p/topics/t');
    expect(header(event.headers, 'ce-id')).toBe('1234567890123456');
    expect(header(event.headers, 'ce-time')).toBe('2024-02-05T04:06:14.109Z');
    expect(JSON.parse(event.body.toString())).toEqual({
      subscription: 'projects/p/subscriptions/s',
      message: {
        data: Buffer.from('{"a":1}').toString('base64'),
        attributes: { k: 'v' },
        messageId: '1234567890123456',
        message_id: '1234567890123456',
        publishTime: '2024-02-05T04:06:14.109Z',
        publish_time: '2024-02-05T04:06:14.109Z',
      },
    });
  });

  test('a generated message id is 16 decimal digits', () => {
    const event = pubsubMessagePublished({
      project: 'p',
      topic: 't',
      subscription: 's',
      data: Buffer.alloc(0),
    });
    expect(event.id).toMatch(/^\d{16}$/);
  });

  test('Storage finalized: subject, numbers as strings, checksums of the content', () => {
    const event = storageObjectFinalized({
      bucket: 'b',
      name: 'dir/f.txt',
      content: Buffer.from('hello'),
      contentType: 'text/plain',
    });
    expect(header(event.headers, 'ce-source')).toBe('//storage.googleapis.com/projects/_/buckets/b');
    expect(header(event.headers, 'ce-subject')).toBe('objects/dir/f.txt');
    const data = JSON.parse(event.body.toString());
    expect(data).toMatchObject({
      kind: 'storage#object',
      bucket: 'b',
      name: 'dir/f.txt',
      size: '5',
      metageneration: '1',
      contentType: 'text/plain',
      md5Hash: 'XUFAKrxLKna5cZ2REBfFkg==',
      crc32c: 'mnG7TA==',
    });
    expect(data.id).toBe(`b/dir/f.txt/${data.generation}`);
    expect(header(event.headers, 'ce-id')).toBe(data.id);
  });

  test('CRC-32C check value', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
  });
});

describe('GCP triggers from serverless.yml', () => {
  const fn = (events: Record<string, unknown>[]) => ({ events }) as unknown as FunctionModel;
  test('pubsub (string or object, short or full topic) and storage', () => {
    expect(
      gcpTriggers(
        fn([
          { pubsub: 'a' },
          { pubsub: { topic: 'projects/p/topics/b' } },
          { storage: { bucket: 'c' } },
          { http: 'GET /' },
        ]),
      ),
    ).toEqual([
      { kind: 'pubsub', topic: 'a' },
      { kind: 'pubsub', topic: 'b' },
      { kind: 'storage', bucket: 'c', event: 'finalized' },
    ]);
    expect(topicName('projects/x/topics/y')).toBe('y');
  });
});
