import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayRequest } from '../../../../emulator/gateway/http-request';

/**
 * The shape of a JSON value: its field set and the JSON type of each field, recursively, so an
 * event can be compared with a captured one whatever the values. Arrays take the shape of their
 * first element.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return [value.length ? shapeOf(value[0]) : 'empty'];
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, field]) => [key, shapeOf(field)]),
    );
  return typeof value;
}

/** A captured event under ./captured (values ours, fields and types as the cloud sends them). */
export function captured(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, 'captured', `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function request(overrides: Partial<GatewayRequest>): GatewayRequest {
  return {
    method: 'GET',
    path: '/',
    rawQuery: '',
    headers: [['Host', '127.0.0.1:3000']],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    receivedAt: new Date('2026-02-03T10:11:12Z'),
    ...overrides,
  };
}
