import { afterEach, describe, expect, test } from 'vitest';
import {
  type RegistryError,
  RegistryStore,
  staticCredentials,
  TokenCache,
} from '../../../../artifact/registry';
import { HttpClient } from '../../../../artifact/registry/http-client';
import { DEFAULT_RETRY_POLICY } from '../../../../artifact/registry/retry';
import { json, type LocalServer, startLocalServer } from './local-server';

const digest = `sha256:${'b'.repeat(64)}`;
const blob = { mediaType: 'application/zip', digest, size: 3 };
const servers: LocalServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const started = await startLocalServer(...args);
  servers.push(started);
  return started;
}

function store(host: string, extra: Partial<ConstructorParameters<typeof RegistryStore>[0]> = {}) {
  return new RegistryStore({
    registry: host,
    repository: 'team/fn',
    credentials: staticCredentials({}),
    tokenCache: new TokenCache(),
    logger: { warn() {} },
    ...extra,
  });
}

describe('Bearer challenges', () => {
  test('insufficient_scope widens the token once with the scopes the registry asked for', async () => {
    const registry = await server((req, res, self) => {
      if (req.path === '/token') {
        json(res, 200, { token: `tok ${req.search.getAll('scope').join(' ')}` });
        return;
      }
      const auth = req.headers.authorization ?? '';
      const challenge = (scope: string, error = '') =>
        `Bearer realm="${self.origin}/token",service="fake",scope="${scope}"${error ? `,error="${error}"` : ''}`;
      if (!auth) {
        res.writeHead(401, { 'www-authenticate': challenge('repository:team/fn:pull') }).end();
      } else if (!auth.includes('repository:other/base:pull')) {
        // this registry also wants pull on a base repository (as some do for mounts/referrers)
        res
          .writeHead(401, {
            'www-authenticate': challenge(
              'repository:team/fn:pull repository:other/base:pull',
              'insufficient_scope',
            ),
          })
          .end();
      } else {
        res.writeHead(200, { 'content-length': '3' }).end();
      }
    });
    expect(await store(registry.host).exists(blob)).toBe(true);
    const tokenRequests = registry.requests
      .filter((r) => r.path === '/token')
      .map((r) => r.search.getAll('scope'));
    expect(tokenRequests).toEqual([
      ['repository:team/fn:pull'],
      ['repository:other/base:pull', 'repository:team/fn:pull'],
    ]);
  });

  test('a token that stays insufficient ends in an actionable 401, not a loop', async () => {
    const registry = await server((req, res, self) => {
      if (req.path === '/token') return json(res, 200, { token: 'useless' });
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${self.origin}/token",scope="repository:team/fn:pull",error="insufficient_scope"`,
        })
        .end();
    });
    await expect(store(registry.host).exists(blob)).rejects.toMatchObject({ status: 401 });
    expect(registry.requests.filter((r) => r.path === '/token').length).toBeLessThanOrEqual(2);
  });

  test('a realm pointing at another loopback-unrelated host is refused before any request goes there', async () => {
    const registry = await server((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="file:///etc/passwd",service="x"' }).end();
    });
    await expect(store(registry.host).exists(blob)).rejects.toThrow(/only http\(s\) realms/);
  });
});

describe('identity (refresh) tokens', () => {
  test('POST grant_type=refresh_token; a token server without POST (405) gets the GET form', async () => {
    const registry = await server((req, res, self) => {
      if (req.path === '/token' && req.method === 'POST') return void res.writeHead(405).end();
      if (req.path === '/token') return json(res, 200, { token: 'from-get' });
      if (req.headers.authorization === 'Bearer from-get') return void res.writeHead(200).end();
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${self.origin}/token",service="svc"` }).end();
    });
    const withRefresh = store(registry.host, {
      credentials: staticCredentials({ [registry.host]: { identityToken: 'refresh-1' } }),
    });
    expect(await withRefresh.exists(blob)).toBe(true);
    const [post, get] = registry.requests.filter((r) => r.path === '/token');
    expect(Object.fromEntries(new URLSearchParams(post?.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'faasport',
      service: 'svc',
      scope: 'repository:team/fn:pull',
    });
    expect(get?.method).toBe('GET');
    expect(get?.search.get('service')).toBe('svc');
    expect(get?.headers.authorization).toBe(`Basic ${Buffer.from('<token>:refresh-1').toString('base64')}`);
  });
});

describe('denied', () => {
  test('403 says access was denied and which scope was needed', async () => {
    const registry = await server((_req, res) => {
      json(res, 403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] });
    });
    const error = await store(registry.host)
      .fetch(blob)
      .catch((e: unknown) => e);
    expect((error as RegistryError).status).toBe(403);
    expect((error as RegistryError).code).toBe('DENIED');
    expect((error as Error).message).toMatch(
      /team\/fn: access denied while trying to download blob sha256:b+ \(403 DENIED: requested access/,
    );
    expect((error as { hint: string }).hint).toContain('repository:team/fn:pull');
  });
});

describe('Basic challenges', () => {
  test('after the first challenge, Basic is sent on every request', async () => {
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    const registry = await server((req, res) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
        return;
      }
      res.writeHead(req.method === 'HEAD' ? 404 : 200).end();
    });
    const basic = store(registry.host, {
      credentials: staticCredentials({ [registry.host]: { username: 'u', password: 'p' } }),
    });
    await basic.exists(blob);
    await basic.exists(blob);
    await basic.exists(blob);
    expect(registry.requests.map((r) => r.headers.authorization === expected)).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });
});

describe('HTTP behaviour', () => {
  test('a redirect to another origin drops Authorization; the registry itself got it', async () => {
    const storage = await server((req, res) => {
      res.writeHead(200, { 'content-length': '3' }).end(req.headers.authorization ? 'BAD' : 'abc');
    });
    const registry = await server((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
        return;
      }
      res.writeHead(307, { location: `${storage.origin}/bucket/object?X-Amz-Signature=abc` }).end();
    });
    const { createHash } = await import('node:crypto');
    const content = {
      mediaType: 'application/zip',
      digest: `sha256:${createHash('sha256').update('abc').digest('hex')}`,
      size: 3,
    };
    const basic = store(registry.host, {
      credentials: staticCredentials({ [registry.host]: { username: 'u', password: 'p' } }),
    });
    const chunks: Buffer[] = [];
    for await (const chunk of await basic.fetch(content)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
  });

  test('a redirect from https down to http is refused', async () => {
    const fakeFetch: typeof fetch = async () =>
      new Response(null, { status: 302, headers: { location: 'http://r.example/elsewhere' } });
    const client = new HttpClient({ fetch: fakeFetch, retry: DEFAULT_RETRY_POLICY, logger: { warn() {} } });
    await expect(
      client.send({ method: 'GET', url: 'https://r.example/v2/', retryable: true }),
    ).rejects.toThrow(/down to plain http/);
  });

  test('Warning: 299 headers reach the logger once each', async () => {
    const registry = await server((_req, res) => {
      res.writeHead(404, { warning: '299 - "this registry is deprecated, move to r2.example"' }).end();
    });
    const warnings: string[] = [];
    const warned = store(registry.host, { logger: { warn: (m) => warnings.push(m) } });
    await warned.exists(blob);
    await warned.exists(blob);
    expect(warnings).toEqual(['this registry is deprecated, move to r2.example']);
  });
});
