import { createHash } from 'node:crypto';

/** The WebSocket wire (RFC 6455) as a server speaks it: the handshake key and frames. */

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`. */
export function acceptKey(clientKey: string): string {
  return createHash('sha1').update(`${clientKey}${HANDSHAKE_GUID}`).digest('base64');
}

/** One frame from the server: never masked (only clients mask). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 0x10000) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A close frame's payload: the status code, then a UTF-8 reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

export type Incoming =
  | { kind: 'message'; binary: boolean; data: Buffer }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'ping'; data: Buffer }
  | { kind: 'pong' }
  | { kind: 'error'; code: number; reason: string };

/**
 * Reads a client's frames as they arrive in chunks: unmasks them, joins fragmented messages,
 * and refuses what the protocol forbids (unmasked frames, messages over `maxMessageBytes`).
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentsBinary = false;
  private fragmentBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Incoming[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const out: Incoming[] = [];
    for (;;) {
      const frame = this.nextFrame();
      if (!frame) break;
      if ('error' in frame) {
        out.push({ kind: 'error', code: frame.code, reason: frame.error });
        break;
      }
      const incoming = this.onFrame(frame);
      if (incoming) out.push(incoming);
      if (incoming?.kind === 'error') break;
    }
    return out;
  }

  private nextFrame():
    | { fin: boolean; opcode: number; payload: Buffer }
    | { error: string; code: number }
    | undefined {
    const data = this.buffered;
    if (data.length < 2) return undefined;
    const first = data[0] as number;
    const second = data[1] as number;
    if ((second & 0x80) === 0) return { error: 'client frames must be masked', code: 1002 };
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return undefined;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return undefined;
      const big = data.readBigUInt64BE(2);
      if (big > BigInt(this.maxMessageBytes)) return { error: 'message too big', code: 1009 };
      length = Number(big);
      offset = 10;
    }
    if (length > this.maxMessageBytes) return { error: 'message too big', code: 1009 };
    if (data.length < offset + 4 + length) return undefined;
    const mask = data.subarray(offset, offset + 4);
    const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    this.buffered = data.subarray(offset + 4 + length);
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload };
  }

  private onFrame(frame: { fin: boolean; opcode: number; payload: Buffer }): Incoming | undefined {
    switch (frame.opcode) {
      case OPCODE.close: {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        return { kind: 'close', code, reason: frame.payload.subarray(2).toString('utf8') };
      }
      case OPCODE.ping:
        return { kind: 'ping', data: frame.payload };
      case OPCODE.pong:
        return { kind: 'pong' };
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation: {
        if (frame.opcode !== OPCODE.continuation) {
          this.fragments = [];
          this.fragmentBytes = 0;
          this.fragmentsBinary = frame.opcode === OPCODE.binary;
        }
        this.fragments.push(frame.payload);
        this.fragmentBytes += frame.payload.length;
        if (this.fragmentBytes > this.maxMessageBytes)
          return { kind: 'error', code: 1009, reason: 'message too big' };
        if (!frame.fin) return undefined;
        const data = Buffer.concat(this.fragments);
        this.fragments = [];
        this.fragmentBytes = 0;
        return { kind: 'message', binary: this.fragmentsBinary, data };
      }
      default:
        return { kind: 'error', code: 1002, reason: `unknown opcode ${frame.opcode}` };
    }
  }
}
