import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { RegistryStore, staticCredentials, TokenCache } from '../../../../artifact/registry';
import { RegistryUnreachableError } from '../../../../artifact/registry/errors';
import { json, type LocalServer, startLocalServer } from './local-server';

// Secrets used below: none of them may appear in any error, hint, stack, log line or output.
const SECRETS = [
  'pw-do-not-print-1',
  'refresh-do-not-print-2',
  'bearer-do-not-print-3',
  'sig-do-not-print-4',
];
const blob = { mediaType: 'application/zip', digest: `sha256:${'d'.repeat(64)}`, size: 1 };

let printed: string[];
let registry: LocalServer | undefined;

beforeEach(() => {
  printed = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void printed.push(args.map(String).join(' ')),
    );
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  await registry?.stop();
  registry = undefined;
});

function everythingSaid(error: unknown, logged: string[]): string {
  const e = error as Error & { hint?: string; cause?: unknown };
  return [e.message, e.hint, e.stack, String(e.cause), JSON.stringify(e), ...logged, ...printed].join('\n');
}

describe('no secret is ever printed or logged', () => {
  test.each([
    ['a rejected Basic password', { username: 'u', password: SECRETS[0] }, 'basic'],
    ['a rejected refresh token', { identityToken: SECRETS[1] }, 'bearer'],
    ['a rejected registry token', { registryToken: SECRETS[2] }, 'bearer'],
    ['a password refused by the token service', { username: 'u', password: SECRETS[0] }, 'bearer'],
  ] as const)('%s', async (_name, credential, scheme) => {
    registry = await startLocalServer((req, res, self) => {
      if (req.path === '/token') return json(res, 401, { details: 'no' });
      res
        .writeHead(401, {
          'www-authenticate':
            scheme === 'basic' ? 'Basic realm="r"' : `Bearer realm="${self.origin}/token",service="s"`,
          warning: '299 - "credentials are being checked"',
        })
        .end();
    });
    const logged: string[] = [];
    const store = new RegistryStore({
      registry: registry.host,
      repository: 'team/fn',
      credentials: staticCredentials({ [registry.host]: credential }),
      tokenCache: new TokenCache(),
      logger: { warn: (m) => logged.push(m) },
    });
    const error = await store.exists(blob).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(logged).toEqual(['credentials are being checked']);
    const said = everythingSaid(error, logged);
    for (const secret of SECRETS) expect(said).not.toContain(secret);
    // the secret really was sent (so the test exercises a path that handled it)
    const sent = registry.requests.map((r) => `${r.headers.authorization ?? ''} ${r.body}`).join(' ');
    expect(
      sent.includes(Buffer.from(`u:${SECRETS[0]}`).toString('base64')) ||
        SECRETS.some((s) => sent.includes(s)),
    ).toBe(true);
  });

  test('URLs in errors lose their query (pre-signed storage signatures) and user-info', () => {
    const error = new RegistryUnreachableError(
      `https://user:${SECRETS[0]}@bucket.example/object?X-Amz-Signature=${SECRETS[3]}`,
      new Error('ECONNRESET'),
    );
    expect(error.message).toContain('https://bucket.example/object');
    for (const secret of SECRETS) expect(`${error.message} ${error.hint}`).not.toContain(secret);
  });
});
