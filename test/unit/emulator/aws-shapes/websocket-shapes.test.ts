import { describe, expect, test } from 'vitest';
import { authorizeConnect } from '../../../../emulator/providers/aws/websocket/connect-authorizer';
import { encodeFrame, FrameReader, OPCODE } from '../../../../emulator/providers/aws/websocket/frames';
import {
  connectEvent,
  disconnectEvent,
  messageEvent,
  selectRoute,
} from '../../../../emulator/providers/aws/websocket/websocket-events';
import { captured, request, shapeOf } from './shape';

const api = { apiId: 'faasportlocal', stage: 'live', domainName: '127.0.0.1:3001' };
const connection = {
  connectionId: 'Ab1Cd2Ef3Gh4Ij5=',
  connectedAt: 1770192001000,
  sourceIp: '127.0.0.1',
  userAgent: 'probe-ws/1.0',
};
const handshake = request({
  path: '/live',
  rawQuery: 'room=lobby',
  headers: [
    ['Host', '127.0.0.1:3001'],
    ['Sec-WebSocket-Key', 'c2FtcGxlLWtleS0wMDAwMQ=='],
    ['Sec-WebSocket-Version', '13'],
  ],
});

describe('websocket events have the fields of captured ones', () => {
  test('CONNECT', () => {
    expect(shapeOf(connectEvent(api, connection, handshake))).toEqual(shapeOf(captured('websocket-connect')));
  });
  test('MESSAGE', () => {
    const event = messageEvent(api, connection, 'chat', {
      binary: false,
      data: Buffer.from('{"action":"chat","text":"hi"}'),
    });
    expect(shapeOf(event)).toEqual(shapeOf(captured('websocket-message')));
  });
  test('DISCONNECT', () => {
    const onlyHost = request({ headers: [['Host', '127.0.0.1:3001']] });
    const event = disconnectEvent(api, connection, onlyHost, { code: 1000, reason: 'done' });
    expect(shapeOf(event)).toEqual(shapeOf(captured('websocket-disconnect')));
  });
  test('a binary message arrives base64', () => {
    const event = messageEvent(api, connection, '$default', { binary: true, data: Buffer.from([1, 2, 255]) });
    expect(event).toMatchObject({ body: 'AQL/', isBase64Encoded: true });
  });
});

describe('route selection', () => {
  const routes = new Set(['chat', 'nested', '$default']);
  const text = (value: string) => ({ binary: false, data: Buffer.from(value) });
  test('the value at the expression’s path picks a route; anything else goes to $default', () => {
    expect(selectRoute('$request.body.action', text('{"action":"chat"}'), routes)).toBe('chat');
    expect(selectRoute('$request.body.meta.kind', text('{"meta":{"kind":"nested"}}'), routes)).toBe('nested');
    expect(selectRoute('$request.body.action', text('{"action":"other"}'), routes)).toBe('$default');
    expect(selectRoute('$request.body.action', text('{"action":"$connect"}'), routes)).toBe('$default');
    expect(selectRoute('$request.body.action', text('plain text'), routes)).toBe('$default');
    expect(
      selectRoute('$request.body.action', text('{"action":"other"}'), new Set(['chat'])),
    ).toBeUndefined();
  });
});

describe('frames', () => {
  const masked = (opcode: number, payload: Buffer, fin = true) => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
    const header =
      payload.length < 126
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length])
        : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, payload.length >> 8, payload.length & 255]);
    return Buffer.concat([header, mask, body]);
  };

  test('reads masked frames split across chunks and joins fragments', () => {
    const reader = new FrameReader(1024);
    const whole = Buffer.concat([
      masked(OPCODE.text, Buffer.from('hel'), false),
      masked(OPCODE.continuation, Buffer.from('lo')),
      masked(OPCODE.binary, Buffer.alloc(300, 7)),
    ]);
    const out = [...reader.push(whole.subarray(0, 5)), ...reader.push(whole.subarray(5))];
    expect(out).toEqual([
      { kind: 'message', binary: false, data: Buffer.from('hello') },
      { kind: 'message', binary: true, data: Buffer.alloc(300, 7) },
    ]);
  });

  test('refuses unmasked frames and messages over the limit', () => {
    expect(new FrameReader(1024).push(encodeFrame(OPCODE.text, Buffer.from('x')))).toEqual([
      { kind: 'error', code: 1002, reason: 'client frames must be masked' },
    ]);
    expect(new FrameReader(10).push(masked(OPCODE.text, Buffer.alloc(20)))).toEqual([
      { kind: 'error', code: 1009, reason: 'message too big' },
    ]);
  });
});

describe('the $connect authorizer', () => {
  const answer = (value: unknown, functionError?: { errorType: string }) => async () => ({
    payload: Buffer.from(JSON.stringify(value)),
    ...(functionError ? { functionError } : {}),
  });
  const allow = (context: unknown) => ({
    principalId: 'p1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
    },
    context,
  });
  const run = (
    invoke: () => Promise<{ payload: Buffer; functionError?: { errorType: string } }>,
    query = 'token=t',
  ) =>
    authorizeConnect({
      identitySource: ['route.request.querystring.token'],
      request: request({ rawQuery: query }),
      connectRequestContext: {},
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/dev/$connect',
      invoke,
    });

  test('Allow passes principalId and context; Deny is 403; Unauthorized 401; malformed 500', async () => {
    expect(await run(answer(allow({ n: 1, ok: true, s: 'x' })))).toMatchObject({
      allowed: true,
      authorizer: { principalId: 'p1', n: 1, ok: true, s: 'x' },
    });
    const deny = allow(undefined);
    deny.policyDocument.Statement[0] = { ...deny.policyDocument.Statement[0], Effect: 'Deny' } as never;
    expect(await run(answer(deny))).toEqual({ allowed: false, status: 403 });
    expect(await run(answer({ errorMessage: 'Unauthorized' }, { errorType: 'Error' }))).toEqual({
      allowed: false,
      status: 401,
    });
    expect(await run(answer({ errorMessage: 'other' }, { errorType: 'Error' }))).toEqual({
      allowed: false,
      status: 500,
    });
    expect(await run(answer(allow({ nested: { no: 1 } })))).toEqual({ allowed: false, status: 500 });
    expect(await run(answer({ policyDocument: {} }))).toEqual({ allowed: false, status: 500 });
  });

  test('a missing identity source is 401 without invoking', async () => {
    let invoked = false;
    const outcome = await run(async () => {
      invoked = true;
      return { payload: Buffer.from('{}') };
    }, '');
    expect(outcome).toEqual({ allowed: false, status: 401 });
    expect(invoked).toBe(false);
  });
});
