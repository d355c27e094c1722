import { isUtf8 } from 'node:buffer';
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

/** Close codes a peer may put on the wire (RFC 6455 7.4.1, 7.4.2; IANA registry up to 1014). */
function sendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999)
  );
}

type Frame = { fin: boolean; opcode: number; payload: Buffer };
type FrameError = { error: string; code: number };

/**
 * Reads a client's frames as they arrive in chunks: unmasks them, joins fragmented messages,
 * and refuses what the protocol forbids (RFC 6455 5.2-5.5: unmasked frames, reserved bits,
 * unknown opcodes, fragmented or oversized control frames, continuations out of order, messages
 * over `maxMessageBytes`; 8.1: text that is not UTF-8). An error, or a close, ends the reading: the connection is then being
 * failed or closed, and later bytes are dropped rather than parsed.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentsBinary = false;
  private fragmentBytes = 0;
  /** Whether a fragmented message was started and awaits its final continuation. */
  private inMessage = false;
  private done = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Incoming[] {
    if (this.done) return [];
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const out: Incoming[] = [];
    for (;;) {
      const frame = this.nextFrame();
      if (!frame) break;
      const incoming: Incoming | undefined =
        'error' in frame ? { kind: 'error', code: frame.code, reason: frame.error } : this.onFrame(frame);
      if (incoming) out.push(incoming);
      if (incoming?.kind === 'error' || incoming?.kind === 'close') {
        this.done = true;
        this.buffered = Buffer.alloc(0);
        this.fragments = [];
        break;
      }
    }
    return out;
  }

  private nextFrame(): Frame | FrameError | undefined {
    const data = this.buffered;
    if (data.length < 2) return undefined;
    const first = data[0] as number;
    const second = data[1] as number;
    // Everything below is judged from the first two bytes, so a bad frame is refused before
    // its (possibly large) payload is waited for.
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    // No extension is ever negotiated in the handshake, so no reserved bit may be set.
    if ((first & 0x70) !== 0) return { error: 'reserved bits set', code: 1002 };
    if ((second & 0x80) === 0) return { error: 'client frames must be masked', code: 1002 };
    const control = (opcode & 0x08) !== 0;
    if (control) {
      if (opcode !== OPCODE.close && opcode !== OPCODE.ping && opcode !== OPCODE.pong)
        return { error: `unknown opcode ${opcode}`, code: 1002 };
      if (!fin) return { error: 'fragmented control frame', code: 1002 };
      if ((second & 0x7f) > 125) return { error: 'control frame over 125 bytes', code: 1002 };
    } else if (opcode === OPCODE.continuation) {
      if (!this.inMessage) return { error: 'continuation without a message', code: 1002 };
    } else if (opcode === OPCODE.text || opcode === OPCODE.binary) {
      if (this.inMessage) return { error: 'new message inside a fragmented one', code: 1002 };
    } else return { error: `unknown opcode ${opcode}`, code: 1002 };
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
    // A continuation counts with the parts before it: the limit is on the whole message.
    const messageBytes = control
      ? length
      : (opcode === OPCODE.continuation ? this.fragmentBytes : 0) + length;
    if (messageBytes > this.maxMessageBytes) return { error: 'message too big', code: 1009 };
    if (data.length < offset + 4 + length) return undefined;
    const mask = data.subarray(offset, offset + 4);
    const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    this.buffered = data.subarray(offset + 4 + length);
    return { fin, opcode, payload };
  }

  /** Called with frames `nextFrame` has checked: known opcodes, in an order the protocol allows. */
  private onFrame(frame: Frame): Incoming | undefined {
    switch (frame.opcode) {
      case OPCODE.close: {
        if (frame.payload.length === 0) return { kind: 'close', code: 1005, reason: '' };
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 0;
        // A one-byte body, or a code reserved for local use (1005, 1006, 1015), is malformed.
        if (!sendableCloseCode(code)) return { kind: 'error', code: 1002, reason: 'invalid close frame' };
        const reason = frame.payload.subarray(2);
        if (!isUtf8(reason)) return { kind: 'error', code: 1007, reason: 'close reason is not UTF-8' };
        return { kind: 'close', code, reason: reason.toString('utf8') };
      }
      case OPCODE.ping:
        return { kind: 'ping', data: frame.payload };
      case OPCODE.pong:
        return { kind: 'pong' };
      default: {
        if (frame.opcode !== OPCODE.continuation) {
          this.fragments = [];
          this.fragmentBytes = 0;
          this.fragmentsBinary = frame.opcode === OPCODE.binary;
        }
        this.fragments.push(frame.payload);
        this.fragmentBytes += frame.payload.length;
        this.inMessage = !frame.fin;
        if (!frame.fin) return undefined;
        const data = Buffer.concat(this.fragments);
        this.fragments = [];
        this.fragmentBytes = 0;
        // Checked on the whole message: a character may be split across fragments (RFC 6455 §8.1).
        if (!this.fragmentsBinary && !isUtf8(data))
          return { kind: 'error', code: 1007, reason: 'text message is not UTF-8' };
        return { kind: 'message', binary: this.fragmentsBinary, data };
      }
    }
  }
}
