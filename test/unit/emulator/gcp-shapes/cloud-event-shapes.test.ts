import { describe, expect, test } from 'vitest';
import {
  pubsubMessagePublished,
  storageObjectFinalized,
} from '../../../../emulator/providers/gcp/cloud-events';
import { expectedGcsEtag } from './oracles';

describe('Pub/Sub messagePublished data as Eventarc pushes it', () => {
  test('the message carries both spellings of the id and the publish time', () => {
    const event = pubsubMessagePublished({
      project: 'p',
      topic: 't',
      subscription: 's',
      data: Buffer.from('hi'),
      messageId: '2070443601311540',
      publishTime: new Date('2021-02-26T19:13:55.749Z'),
    });
    const { message } = JSON.parse(event.body.toString()) as { message: Record<string, unknown> };
    expect(message).toEqual({
      data: 'aGk=',
      attributes: {},
      messageId: '2070443601311540',
      message_id: '2070443601311540',
      publishTime: '2021-02-26T19:13:55.749Z',
      publish_time: '2021-02-26T19:13:55.749Z',
    });
  });

  test('generated ids and times: the same value under both names', () => {
    const event = pubsubMessagePublished({
      project: 'p',
      topic: 't',
      subscription: 's',
      data: Buffer.alloc(0),
    });
    const { message } = JSON.parse(event.body.toString()) as { message: Record<string, string> };
    expect(message.messageId).toMatch(/^\d{16}$/);
    expect(message.message_id).toBe(message.messageId);
    expect(message.publishTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(message.publish_time).toBe(message.publishTime);
  });
});

describe('Cloud Storage object etag', () => {
  test('the oracle reproduces etags of real objects', () => {
    expect(expectedGcsEtag('1635079916677007', '1')).toBe('CI/P86yL4/MCEAE=');
    expect(expectedGcsEtag('1698182630721865', '1')).toBe('CMmS36PPj4IDEAE=');
    expect(expectedGcsEtag('1418688703353000', '1')).toBe('CKih16GjycICEAE=');
  });

  test('finalized: the etag encodes generation and metageneration as Cloud Storage does', () => {
    for (let i = 0; i < 20; i += 1) {
      const event = storageObjectFinalized({ bucket: 'b', name: 'f.txt', content: Buffer.from(`x${i}`) });
      const data = JSON.parse(event.body.toString()) as Record<string, string>;
      expect(data.generation).toMatch(/^\d{16}$/);
      expect(data.etag).toMatch(/^C[A-Za-z0-9+/]{10,}EAE=$/);
      expect(data.etag).toBe(expectedGcsEtag(data.generation ?? '', data.metageneration ?? ''));
    }
  });

  test('stable for a given generation', () => {
    const at = new Date('2021-10-24T12:51:56.677Z');
    const a = storageObjectFinalized({
      bucket: 'b',
      name: 'f',
      content: Buffer.from('a'),
      generation: '1635079916677007',
    });
    const b = storageObjectFinalized({
      bucket: 'b',
      name: 'g',
      content: Buffer.from('b'),
      created: at,
      generation: '1635079916677007',
    });
    const etag = (e: typeof a) => (JSON.parse(e.body.toString()) as { etag: string }).etag;
    expect(etag(a)).toBe('CI/P86yL4/MCEAE=');
    expect(etag(b)).toBe('CI/P86yL4/MCEAE=');
    expect((JSON.parse(b.body.toString()) as { generation: string }).generation).toBe('1635079916677007');
  });
});
