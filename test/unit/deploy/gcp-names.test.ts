import { describe, expect, test } from 'vitest';
import {
  digestFromLabels,
  digestLabels,
  gcpFunctionId,
  isOwnedBy,
  labelValue,
  ownershipLabels,
} from '../../../plugin/deployers/gcp/gcp-names';
import { gcpRuntime } from '../../../plugin/deployers/gcp/gcp-settings';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('Cloud Functions names, labels and runtimes', () => {
  test('function ids: valid names pass; others become [a-z0-9-]{4,63}, starting with a letter, distinct', () => {
    expect(gcpFunctionId('orders-dev-api')).toBe('orders-dev-api');
    expect(gcpFunctionId('Orders_dev_onMessage')).toBe('orders-dev-onmessage');
    const long = gcpFunctionId(`svc-dev-${'x'.repeat(80)}`);
    const other = gcpFunctionId(`svc-dev-${'x'.repeat(81)}`);
    for (const id of [
      long,
      other,
      gcpFunctionId('a'),
      gcpFunctionId('9lives-dev-f'),
      gcpFunctionId('a-b-'),
    ]) {
      expect(id).toMatch(/^[a-z][a-z0-9-]{2,61}[a-z0-9]$/);
    }
    expect(long).not.toBe(other);
    expect(gcpFunctionId(long)).toBe(long); // idempotent: a deployed id maps to itself
  });

  test('the digest is split over two labels and read back; other digests are refused', () => {
    const labels = digestLabels(DIGEST);
    for (const value of Object.values(labels)) expect(value).toMatch(/^[a-z0-9_-]{1,63}$/);
    expect(digestFromLabels(labels)).toBe(DIGEST);
    expect(digestFromLabels({ 'faasport-digest-hi': labels['faasport-digest-hi'] ?? '' })).toBeUndefined();
    expect(() => digestLabels(`sha512:${'a'.repeat(128)}`)).toThrow(/only sha256/);
  });

  test('ownership labels hold label-safe values and are matched the same way', () => {
    const labels = ownershipLabels('My.Service', 'Prod');
    expect(labels['faasport-service']).toBe('my_service');
    expect(isOwnedBy(labels, 'My.Service', 'Prod')).toBe(true);
    expect(isOwnedBy(labels, 'My.Service', 'dev')).toBe(false);
    expect(labelValue('x'.repeat(80))).toHaveLength(63);
  });

  test('serverless runtimes map to Cloud Functions ids; custom runtimes have none', () => {
    expect(gcpRuntime('nodejs22.x')).toBe('nodejs22');
    expect(gcpRuntime('nodejs24.x')).toBe('nodejs24');
    expect(gcpRuntime('python3.12')).toBe('python312');
    expect(gcpRuntime('ruby3.3')).toBe('ruby33');
    expect(gcpRuntime('java21')).toBe('java21');
    expect(gcpRuntime('go123')).toBe('go123');
    expect(gcpRuntime('provided.al2023')).toBeUndefined();
  });
});
