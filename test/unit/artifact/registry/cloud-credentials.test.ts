import { afterEach, describe, expect, test } from 'vitest';
import {
  acrCredentials,
  artifactRegistryCredentials,
  ecrCredentials,
  RegistryStore,
  TokenCache,
} from '../../../../artifact/registry';
import { signRequest } from '../../../../artifact/registry/credentials/cloud/sigv4';
import { json, type LocalServer, startLocalServer } from './local-server';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
async function server(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const started = await startLocalServer(...args);
  servers.push(started);
  return started;
}

const blob = { mediaType: 'application/zip', digest: `sha256:${'c'.repeat(64)}`, size: 1 };
const awsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

/** A registry that wants Basic `user:password` and otherwise answers 404 to everything. */
async function basicRegistry(user: string, password: string): Promise<LocalServer> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return server((req, res) => {
    if (req.headers.authorization !== expected)
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
    res.writeHead(404).end();
  });
}

describe('SigV4', () => {
  test('matches the signature of an independent implementation (AWS SDK signer) for the same request', () => {
    // Reference value computed once with @smithy/signature-v4 for exactly these inputs.
    const headers = signRequest({
      method: 'POST',
      url: new URL('https://api.ecr.eu-west-1.amazonaws.com/'),
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
        'x-amz-content-sha256': '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      },
      body: '{}',
      region: 'eu-west-1',
      service: 'ecr',
      credentials: { ...awsCredentials, sessionToken: 'tok' },
      now: new Date('2024-01-02T03:04:05Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/ecr/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, ' +
        'Signature=254cb1e6a31454ae40797b9af7eb63f660f28b0bc83c97f46ebb66d504ed8db8',
    );
    expect(headers['x-amz-date']).toBe('20240102T030405Z');
  });
});

describe('ECR', () => {
  test('GetAuthorizationToken is called signed, decoded into Basic credentials and cached', async () => {
    const ecr = await server((req, res) => {
      json(res, 200, {
        authorizationData: [
          {
            authorizationToken: Buffer.from('AWS:ecr-password-123').toString('base64'),
            expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
            proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
          },
        ],
      });
      void req;
    });
    const provider = ecrCredentials({ credentials: async () => awsCredentials, endpoint: `${ecr.origin}/` });
    const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    expect(await provider(host)).toMatchObject({ username: 'AWS', password: 'ecr-password-123' });
    expect(await provider(host)).toMatchObject({ username: 'AWS', password: 'ecr-password-123' });
    expect(await provider('ghcr.io')).toBeUndefined();
    expect(ecr.requests).toHaveLength(1);
    const [call] = ecr.requests;
    expect(call?.method).toBe('POST');
    expect(call?.headers['x-amz-target']).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(call?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(call?.headers['x-amz-security-token']).toBe('session-token-example');
    expect(call?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ecr\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  test('the ECR password opens an ECR-style Basic registry', async () => {
    const ecr = await server((_req, res) => {
      json(res, 200, {
        authorizationData: [{ authorizationToken: Buffer.from('AWS:pw-xyz').toString('base64') }],
      });
    });
    const registry = await basicRegistry('AWS', 'pw-xyz');
    const store = new RegistryStore({
      registry: registry.host,
      repository: 'team/fn',
      credentials: ecrCredentials({
        credentials: async () => awsCredentials,
        region: 'eu-west-1',
        endpoint: ecr.origin,
        matches: () => true,
      }),
    });
    expect(await store.exists(blob)).toBe(false);
    expect(registry.requests.at(-1)?.headers.authorization).toBeDefined();
  });

  test('AWS errors are reported with their type', async () => {
    const ecr = await server((_req, res) => {
      json(res, 400, {
        __type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      });
    });
    const provider = ecrCredentials({ credentials: async () => awsCredentials, endpoint: ecr.origin });
    await expect(provider('123456789012.dkr.ecr.us-east-1.amazonaws.com')).rejects.toThrow(
      /GetAuthorizationToken failed in us-east-1 \(400 UnrecognizedClientException/,
    );
  });
});

describe('ACR', () => {
  test('AAD token → /oauth2/exchange → refresh token → /oauth2/token → scoped access token', async () => {
    const registry = await server((req, res, self) => {
      if (req.path === '/oauth2/exchange') {
        const form = new URLSearchParams(req.body);
        if (form.get('grant_type') !== 'access_token' || form.get('access_token') !== 'aad-token-1') {
          return json(res, 401, {});
        }
        return json(res, 200, { refresh_token: 'acr-refresh-1' });
      }
      if (req.path === '/oauth2/token') {
        const form = new URLSearchParams(req.body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'acr-refresh-1') {
          return json(res, 401, {});
        }
        return json(res, 200, { access_token: 'acr-access-1' });
      }
      if (req.headers.authorization !== 'Bearer acr-access-1') {
        return void res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${self.origin}/oauth2/token",service="${new URL(self.origin).host}"`,
          })
          .end();
      }
      res.writeHead(200).end();
    });
    const store = new RegistryStore({
      registry: registry.host,
      repository: 'team/fn',
      credentials: acrCredentials({
        aadToken: async () => 'aad-token-1',
        tenant: 'tenant-1',
        matches: () => true,
      }),
      tokenCache: new TokenCache(),
    });
    expect(await store.exists(blob)).toBe(true);
    const exchange = registry.requests.find((r) => r.path === '/oauth2/exchange');
    expect(Object.fromEntries(new URLSearchParams(exchange?.body))).toEqual({
      grant_type: 'access_token',
      service: registry.host,
      access_token: 'aad-token-1',
      tenant: 'tenant-1',
    });
    const token = registry.requests.find((r) => r.path === '/oauth2/token');
    expect(token?.method).toBe('POST');
    expect(new URLSearchParams(token?.body).get('scope')).toBe('repository:team/fn:pull');
    expect(new URLSearchParams(token?.body).get('service')).toBe(registry.host);
  });

  test('only ACR hosts by default', async () => {
    expect(await acrCredentials({ aadToken: async () => 'x' })('ghcr.io')).toBeUndefined();
  });
});

describe('Artifact Registry', () => {
  test('Basic oauth2accesstoken with a fresh access token from the token source', async () => {
    let calls = 0;
    const registry = await basicRegistry('oauth2accesstoken', 'ya29.access-token');
    const store = new RegistryStore({
      registry: registry.host,
      repository: 'team/fn',
      credentials: artifactRegistryCredentials({
        accessToken: async () => {
          calls++;
          return 'ya29.access-token';
        },
        matches: () => true,
      }),
    });
    expect(await store.exists(blob)).toBe(false);
    expect(calls).toBe(1);
    const provider = artifactRegistryCredentials({ accessToken: async () => 't' });
    expect(await provider('europe-west1-docker.pkg.dev')).toMatchObject({ username: 'oauth2accesstoken' });
    expect(await provider('registry.example')).toBeUndefined();
  });
});
