import { Duplex } from 'node:stream';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { authorizeConnect } from '../../../emulator/providers/aws/websocket/connect-authorizer';
import { Connection } from '../../../emulator/providers/aws/websocket/connection';
import { FrameReader, type Incoming, OPCODE } from '../../../emulator/providers/aws/websocket/frames';
import { request } from './aws-shapes/shape';

/**
 * The websocket edge cases API Gateway (and RFC 6455) refuse: the $connect authorizer's policy
 * judged against the route's ARN, and client frames the protocol forbids failing the connection.
 */

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/dev/$connect';

describe('the $connect authorizer evaluates its policy against the $connect ARN', () => {
  const statement = (Effect: string, Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({
    Effect,
    Resource,
    Action,
  });
  const run = (Statement: unknown) =>
    authorizeConnect({
      identitySource: ['route.request.querystring.token'],
      request: request({ rawQuery: 'token=t' }),
      connectRequestContext: {},
      methodArn: METHOD_ARN,
      invoke: async () => ({
        payload: Buffer.from(
          JSON.stringify({ principalId: 'p1', policyDocument: { Version: '2012-10-17', Statement } }),
        ),
      }),
    });

  test('an Allow for another resource or action is an implicit deny (403)', async () => {
    const otherRoute = 'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/dev/$default';
    const otherApi = 'arn:aws:execute-api:eu-west-1:123456789012:otherapi/dev/$connect';
    expect(await run([statement('Allow', otherRoute)])).toEqual({ allowed: false, status: 403 });
    expect(await run([statement('Allow', otherApi)])).toEqual({ allowed: false, status: 403 });
    expect(await run([statement('Allow', METHOD_ARN, 'execute-api:ManageConnections')])).toEqual({
      allowed: false,
      status: 403,
    });
  });

  test('wildcard resources and actions over the $connect ARN allow', async () => {
    for (const resource of [
      '*',
      'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/*',
      'arn:aws:execute-api:*:*:*/dev/$connect',
      'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/dev/$c?nnect',
    ])
      expect(await run([statement('Allow', resource)]), resource).toMatchObject({ allowed: true });
    expect(await run([statement('Allow', METHOD_ARN, ['s3:GetObject', 'execute-api:*'])])).toMatchObject({
      allowed: true,
    });
    // One statement, not in a list, is a valid policy too.
    expect(await run(statement('Allow', METHOD_ARN))).toMatchObject({ allowed: true });
  });

  test('an explicit Deny on the ARN wins; a Deny elsewhere does not undo an Allow', async () => {
    expect(await run([statement('Allow', '*'), statement('Deny', METHOD_ARN)])).toEqual({
      allowed: false,
      status: 403,
    });
    const elsewhere = 'arn:aws:execute-api:eu-west-1:123456789012:faasportlocal/dev/$disconnect';
    expect(await run([statement('Allow', '*'), statement('Deny', elsewhere)])).toMatchObject({
      allowed: true,
      authorizer: { principalId: 'p1' },
    });
  });

  test('a statement without Action or Resource is malformed (500)', async () => {
    expect(await run([{ Effect: 'Allow', Resource: '*' }])).toEqual({ allowed: false, status: 500 });
    expect(await run([{ Effect: 'Allow', Action: 'execute-api:Invoke' }])).toEqual({
      allowed: false,
      status: 500,
    });
    expect(await run([statement('allow', '*')])).toEqual({ allowed: false, status: 500 });
  });
});

/** A client frame: masked unless told otherwise, with the first byte's bits as given. */
function frame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; rsv?: number; masked?: boolean } = {},
): Buffer {
  const data = Buffer.from(payload);
  const { fin = true, rsv = 0, masked = true } = options;
  const first = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  const maskBit = masked ? 0x80 : 0;
  const header =
    data.length < 126
      ? Buffer.from([first, maskBit | data.length])
      : Buffer.from([first, maskBit | 126, data.length >> 8, data.length & 255]);
  if (!masked) return Buffer.concat([header, data]);
  const mask = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([header, mask, Buffer.from(data.map((byte, i) => byte ^ (mask[i % 4] as number)))]);
}

const closeBody = (code: number, reason = '') => {
  const body = Buffer.alloc(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2);
  return body;
};

const codes = (out: Incoming[]) =>
  out.map((incoming) => (incoming.kind === 'error' ? incoming.code : incoming.kind));

describe('the frame reader fails the connection on what RFC 6455 forbids', () => {
  test('reserved bits without a negotiated extension: 1002', () => {
    for (const rsv of [1, 2, 4])
      expect(codes(new FrameReader(1024).push(frame(OPCODE.text, 'x', { rsv })))).toEqual([1002]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, '', { rsv: 4 })))).toEqual([1002]);
  });

  test('control frames must be final and carry at most 125 bytes: 1002', () => {
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, 'x', { fin: false })))).toEqual([1002]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.close, closeBody(1000), { fin: false })))).toEqual([
      1002,
    ]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, Buffer.alloc(126))))).toEqual([1002]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.pong, Buffer.alloc(126))))).toEqual([1002]);
    // Refused from the header alone: the oversized payload is never waited for.
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, Buffer.alloc(200)).subarray(0, 4)))).toEqual([
      1002,
    ]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, Buffer.alloc(125))))).toEqual(['ping']);
  });

  test('a control frame may interleave a fragmented message', () => {
    const out = new FrameReader(1024).push(
      Buffer.concat([
        frame(OPCODE.text, 'he', { fin: false }),
        frame(OPCODE.ping, 'p'),
        frame(OPCODE.continuation, 'llo'),
      ]),
    );
    expect(out).toEqual([
      { kind: 'ping', data: Buffer.from('p') },
      { kind: 'message', binary: false, data: Buffer.from('hello') },
    ]);
  });

  test('a continuation with no message started: 1002', () => {
    expect(codes(new FrameReader(1024).push(frame(OPCODE.continuation, 'x')))).toEqual([1002]);
    // A message that just ended leaves nothing to continue either.
    expect(
      codes(
        new FrameReader(1024).push(Buffer.concat([frame(OPCODE.text, 'a'), frame(OPCODE.continuation, 'b')])),
      ),
    ).toEqual(['message', 1002]);
  });

  test('a new data frame while a fragmented message is open: 1002', () => {
    const reader = new FrameReader(1024);
    expect(reader.push(frame(OPCODE.text, 'part', { fin: false }))).toEqual([]);
    expect(codes(reader.push(frame(OPCODE.binary, 'other')))).toEqual([1002]);
    expect(
      codes(
        new FrameReader(1024).push(
          Buffer.concat([frame(OPCODE.text, 'a', { fin: false }), frame(OPCODE.text, 'b')]),
        ),
      ),
    ).toEqual([1002]);
  });

  test('unknown opcodes, data or control: 1002', () => {
    for (const opcode of [0x3, 0x7, 0xb, 0xf])
      expect(codes(new FrameReader(1024).push(frame(opcode, 'x'))), `opcode ${opcode}`).toEqual([1002]);
  });

  test('unmasked client frames: 1002, even before their payload arrives', () => {
    expect(codes(new FrameReader(1024).push(frame(OPCODE.text, 'x', { masked: false })))).toEqual([1002]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.ping, '', { masked: false })))).toEqual([1002]);
  });

  test('a close frame with a one-byte body or a code no endpoint may send: 1002', () => {
    expect(codes(new FrameReader(1024).push(frame(OPCODE.close, Buffer.from([3]))))).toEqual([1002]);
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000])
      expect(codes(new FrameReader(1024).push(frame(OPCODE.close, closeBody(code)))), `code ${code}`).toEqual(
        [1002],
      );
    for (const code of [1000, 1001, 1003, 1007, 1011, 3000, 4999])
      expect(new FrameReader(1024).push(frame(OPCODE.close, closeBody(code, 'r')))).toEqual([
        { kind: 'close', code, reason: 'r' },
      ]);
    expect(new FrameReader(1024).push(frame(OPCODE.close, ''))).toEqual([
      { kind: 'close', code: 1005, reason: '' },
    ]);
  });

  test('a text message or close reason that is not UTF-8: 1007; binary messages may hold any bytes', () => {
    const broken = Buffer.from([0x68, 0x69, 0xc3]); // "hi" and half a two-byte character
    expect(codes(new FrameReader(1024).push(frame(OPCODE.text, broken)))).toEqual([1007]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.text, Buffer.from([0xed, 0xa0, 0x80]))))).toEqual([
      1007,
    ]); // a UTF-16 surrogate
    const reason = Buffer.concat([closeBody(1000), Buffer.from([0xff])]);
    expect(codes(new FrameReader(1024).push(frame(OPCODE.close, reason)))).toEqual([1007]);
    // A character split across fragments is whole once the message is.
    const reader = new FrameReader(1024);
    const euro = Buffer.from('€');
    expect(reader.push(frame(OPCODE.text, euro.subarray(0, 1), { fin: false }))).toEqual([]);
    expect(reader.push(frame(OPCODE.continuation, euro.subarray(1)))).toEqual([
      { kind: 'message', binary: false, data: euro },
    ]);
    expect(new FrameReader(1024).push(frame(OPCODE.binary, broken))).toEqual([
      { kind: 'message', binary: true, data: broken },
    ]);
  });

  test('a fragmented message over the limit is refused (1009) as its frame header arrives', () => {
    const reader = new FrameReader(10);
    expect(reader.push(frame(OPCODE.text, Buffer.alloc(8), { fin: false }))).toEqual([]);
    const next = frame(OPCODE.continuation, Buffer.alloc(8));
    expect(codes(reader.push(next.subarray(0, 2)))).toEqual([1009]);
  });

  test('after an error nothing more is read: buffered and later bytes are dropped', () => {
    const reader = new FrameReader(1024);
    const out = reader.push(
      Buffer.concat([frame(OPCODE.text, 'x', { rsv: 1 }), frame(OPCODE.text, 'after')]),
    );
    expect(codes(out)).toEqual([1002]);
    expect(reader.push(frame(OPCODE.text, 'later'))).toEqual([]);
    expect(reader.push(frame(OPCODE.ping, 'p'))).toEqual([]);
  });

  test('after a close frame nothing more is read', () => {
    const reader = new FrameReader(1024);
    const out = reader.push(
      Buffer.concat([frame(OPCODE.close, closeBody(1000)), frame(OPCODE.text, 'after')]),
    );
    expect(codes(out)).toEqual(['close']);
    expect(reader.push(frame(OPCODE.text, 'later'))).toEqual([]);
  });
});

/** A socket standing in for the client's: what the server wrote, and whether it ended. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    callback();
  }
}

/** The server frames written, as opcode and (for a close) its code. */
function serverFrames(socket: FakeSocket): { opcode: number; code?: number; payload: Buffer }[] {
  let data = Buffer.concat(socket.written);
  const frames: { opcode: number; code?: number; payload: Buffer }[] = [];
  while (data.length >= 2) {
    const opcode = (data[0] as number) & 0x0f;
    const length = (data[1] as number) & 0x7f;
    expect(length).toBeLessThan(126);
    const payload = data.subarray(2, 2 + length);
    frames.push(
      opcode === OPCODE.close ? { opcode, code: payload.readUInt16BE(0), payload } : { opcode, payload },
    );
    data = data.subarray(2 + length);
  }
  return frames;
}

describe('a connection that breaks the protocol', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const open = () => {
    const socket = new FakeSocket();
    const messages: string[] = [];
    const closes: { code: number; reason: string }[] = [];
    const connection = new Connection(
      { connectionId: 'Ab1Cd2Ef3Gh4Ij5=', connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'test' },
      socket,
      {
        onMessage: (message) => messages.push(message.data.toString('utf8')),
        onClosed: (close) => closes.push(close),
      },
    );
    return { socket, messages, closes, connection };
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  test('gets a 1002 close frame, its socket ended, and no later message delivered', async () => {
    const { socket, messages, closes, connection } = open();
    socket.push(frame(OPCODE.text, 'fine'));
    socket.push(Buffer.concat([frame(OPCODE.continuation, 'orphan'), frame(OPCODE.text, 'buffered')]));
    socket.push(frame(OPCODE.text, 'later'));
    await flush();
    expect(messages).toEqual(['fine']);
    expect(serverFrames(socket).map(({ opcode, code }) => ({ opcode, code }))).toEqual([
      { opcode: OPCODE.close, code: 1002 },
    ]);
    expect(socket.writableEnded).toBe(true);
    expect(connection.open).toBe(false);
    socket.destroy();
    await flush();
    // $disconnect hears the code the server closed with.
    expect(closes).toEqual([{ code: 1002, reason: expect.stringContaining('continuation') as string }]);
  });

  test('with a reserved bit set is closed 1002 and its socket destroyed if the client stays silent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { socket, closes } = open();
    socket.push(frame(OPCODE.binary, 'x', { rsv: 2 }));
    await flush();
    expect(serverFrames(socket).map(({ code }) => code)).toEqual([1002]);
    vi.advanceTimersByTime(1000);
    await flush();
    expect(socket.destroyed).toBe(true);
    expect(closes.map(({ code }) => code)).toEqual([1002]);
  });

  test('a message over API Gateway’s limit is closed 1009', async () => {
    const { socket, messages } = open();
    const part = Buffer.alloc(60_000, 0x61);
    socket.push(frame(OPCODE.text, part, { fin: false }));
    socket.push(frame(OPCODE.continuation, part, { fin: false }));
    // The third part takes it past 128 KiB: refused from its header, before its payload.
    socket.push(frame(OPCODE.continuation, part).subarray(0, 8));
    await flush();
    expect(messages).toEqual([]);
    expect(serverFrames(socket).map(({ code }) => code)).toEqual([1009]);
  });
});
