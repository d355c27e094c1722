import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TokenRequestLog {
  method: string;
  scopes: string[];
  service: string | undefined;
  user: string | undefined;
  grantType: string | undefined;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file with the self-signed certificate the registry trusts (`rootcertbundle`). */
  certificateFile: string;
  requests: TokenRequestLog[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  /** username → password; these users get every action they ask for. */
  users: Record<string, string>;
  /** refresh token → username, for the OAuth2 POST flow. */
  refreshTokens?: Record<string, string>;
  /** Anonymous clients get only these actions. */
  anonymousActions?: string[];
  expiresIn?: number;
}

/**
 * A minimal distribution token server: verifies Basic credentials or a refresh token, grants
 * the requested scopes the policy allows, and signs an ES256 JWT whose `x5c` header carries a
 * self-signed certificate that the registry trusts through `rootcertbundle`.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-token-'));
  const keyFile = join(dir, 'key.pem');
  const certificateFile = join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certificateFile,
    '-days',
    '1',
    '-subj',
    '/CN=faasport-test-token-issuer',
  ]);
  const key = createPrivateKey(await readFile(keyFile));
  const certificate = new X509Certificate(await readFile(certificateFile));
  const x5c = certificate.raw.toString('base64');
  const service = 'faasport-test-registry';
  const issuer = 'faasport-test-issuer';
  const requests: TokenRequestLog[] = [];

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    const scopes =
      req.method === 'POST'
        ? (form.get('scope') ?? '').split(' ').filter(Boolean)
        : url.searchParams.getAll('scope');
    let user: string | undefined;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString();
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (options.users[name] !== decoded.slice(colon + 1)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = name;
    }
    if (req.method === 'POST') {
      const refresh = form.get('refresh_token') ?? '';
      user = options.refreshTokens?.[refresh];
      if (form.get('grant_type') !== 'refresh_token' || !user) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad refresh token"}');
        return;
      }
    }
    requests.push({
      method: req.method ?? 'GET',
      scopes,
      service: form.get('service') ?? undefined,
      user,
      grantType: form.get('grant_type') ?? undefined,
    });
    const access = scopes.map((scope) => {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      const wanted = scope.slice(last + 1).split(',');
      const allowed = user ? wanted : wanted.filter((a) => (options.anonymousActions ?? []).includes(a));
      return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: allowed };
    });
    const token = signJwt(key, x5c, {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: Math.floor(Date.now() / 1000) + (options.expiresIn ?? 300),
      nbf: Math.floor(Date.now() / 1000) - 10,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      access,
    });
    const body =
      req.method === 'POST'
        ? { access_token: token, expires_in: options.expiresIn ?? 300 }
        : { token, expires_in: options.expiresIn ?? 300, issued_at: new Date().toISOString() };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificateFile,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function signJwt(key: KeyObject, x5c: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ typ: 'JWT', alg: 'ES256', x5c: [x5c] })}.${encode(claims)}`;
  // JWS wants the raw r||s form, not DER
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
