import type { Duplex } from 'node:stream';
import { closePayload, encodeFrame, FrameReader, type Incoming, OPCODE } from './frames';
import type { ConnectionFacts } from './websocket-events';

/** API Gateway's limit on one websocket message. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** One open websocket: frames in and out on its socket, and when it was last active. */
export class Connection {
  lastActiveAt: number;
  private closed = false;
  private readonly reader = new FrameReader(MAX_MESSAGE_BYTES);

  constructor(
    readonly facts: ConnectionFacts,
    private readonly socket: Duplex,
    handlers: {
      onMessage(message: { binary: boolean; data: Buffer }): void;
      onClosed(close: { code: number; reason: string }): void;
    },
  ) {
    this.lastActiveAt = facts.connectedAt;
    let closeSeen: { code: number; reason: string } | undefined;
    socket.on('data', (chunk: Buffer) => {
      for (const incoming of this.reader.push(chunk)) {
        const close = this.handle(incoming, handlers.onMessage);
        if (close) closeSeen = close;
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      handlers.onClosed(closeSeen ?? { code: 1006, reason: '' });
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  send(data: Buffer, binary: boolean): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(binary ? OPCODE.binary : OPCODE.text, data));
  }

  /** Sends a close frame and ends the socket (the client's own close then ends it too). */
  close(code: number, reason = ''): void {
    if (this.closed) return;
    this.socket.end(encodeFrame(OPCODE.close, closePayload(code, reason)));
    this.closed = true;
    // A client that never answers the close frame does not keep the socket (or a stop) waiting.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Returns the close the client asked for, if this frame was one. */
  private handle(
    incoming: Incoming,
    onMessage: (message: { binary: boolean; data: Buffer }) => void,
  ): { code: number; reason: string } | undefined {
    this.lastActiveAt = Date.now();
    switch (incoming.kind) {
      case 'message':
        onMessage(incoming);
        return undefined;
      case 'ping':
        if (!this.closed) this.socket.write(encodeFrame(OPCODE.pong, incoming.data));
        return undefined;
      case 'pong':
        return undefined;
      case 'close':
        this.close(incoming.code === 1005 ? 1000 : incoming.code);
        return { code: incoming.code, reason: incoming.reason };
      case 'error':
        this.close(incoming.code, incoming.reason);
        return { code: incoming.code, reason: incoming.reason };
    }
  }
}
