import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header the console page sends its token in: a custom header also forces a CORS preflight. */
export const TOKEN_HEADER = 'x-faasport-console-token';

/**
 * A secret per emulator start, written into the console page only. Another page cannot read
 * the console page (same-origin policy), so it cannot send the token with a state-changing call.
 */
export class ConsoleToken {
  readonly value = randomBytes(24).toString('base64url');

  matches(req: IncomingMessage): boolean {
    const sent = req.headers[TOKEN_HEADER];
    if (typeof sent !== 'string') return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(this.value);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
