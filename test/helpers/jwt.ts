import { createSign, generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key of a test identity provider, with its public half as a JWK. */
export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

export function testSigningKey(alg: 'RS256' | 'ES256' = 'RS256'): TestSigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A compact JWS over `claims`, signed as an identity provider would. */
export function signJwt(key: TestSigningKey, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid }));
  const payload = base64url(JSON.stringify(claims));
  const signer = createSign('SHA256');
  signer.update(`${header}.${payload}`);
  const signature = signer.sign(
    key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey,
  );
  return `${header}.${payload}.${base64url(signature)}`;
}

/** An issuer on 127.0.0.1 that serves OpenID discovery and its JWKS; counts JWKS fetches. */
export async function startTestIssuer(
  keys: TestSigningKey[],
): Promise<{ url: string; jwksFetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  let url = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys` }));
    } else if (req.url === '/keys') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksFetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
