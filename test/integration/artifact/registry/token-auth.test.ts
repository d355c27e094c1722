import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RegistryError, RegistryStore, staticCredentials, TokenCache } from '../../../../artifact/registry';
import { uniqueRepository } from '../../../helpers/services';
import { makeArtefact, readAll, type TestArtefact } from './artefact';
import { countingFetch } from './counting-fetch';
import { type RegistryProcess, startRegistry } from './registry-process';
import { startTokenServer, type TokenServer } from './token-server';

// A real Bearer flow: distribution configured for token auth against our own token server.
let tokens: TokenServer;
let registry: RegistryProcess;
const password = 'token-flow-password-5521';
const refreshToken = 'refresh-token-value-9043';

beforeAll(async () => {
  tokens = await startTokenServer({
    users: { alice: password },
    refreshTokens: { [refreshToken]: 'alice' },
    anonymousActions: ['pull'],
  });
  registry = await startRegistry({
    auth: {
      token: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        rootcertbundle: tokens.certificateFile,
      },
    },
  });
});

afterAll(async () => {
  await registry?.stop();
  await tokens?.stop();
});

async function pushArtefact(store: RegistryStore, artefact: TestArtefact, tag: string): Promise<void> {
  await store.push(artefact.config.descriptor, artefact.config.bytes);
  await store.push(artefact.layer.descriptor, artefact.layer.bytes);
  await store.push(artefact.manifest.descriptor, artefact.manifest.bytes);
  await store.tag(artefact.manifest.descriptor, tag);
}

describe('Bearer token auth against a real token-auth registry', () => {
  test('pushes with a pull,push token, pulls with it, and reuses cached tokens', async () => {
    const repository = uniqueRepository('bearer');
    const artefact = makeArtefact();
    const { fetch, requests } = countingFetch();
    const store = new RegistryStore({
      registry: registry.host,
      repository,
      credentials: staticCredentials({ [registry.host]: { username: 'alice', password } }),
      fetch,
      tokenCache: new TokenCache(),
    });
    const before = tokens.requests.length;
    await pushArtefact(store, artefact, 'v1');
    expect((await store.resolve('v1')).digest).toBe(artefact.manifest.descriptor.digest);
    expect(await readAll(await store.fetch(artefact.layer.descriptor))).toEqual(artefact.layer.bytes);

    const issued = tokens.requests.slice(before);
    // one token for reads (the first HEAD) and one for writes; everything else came from the cache
    expect(issued.map((r) => r.scopes)).toEqual([
      [`repository:${repository}:pull`],
      [`repository:${repository}:pull,push`],
    ]);
    expect(
      issued.every((r) => r.user === 'alice' && r.service === tokens.service && r.method === 'GET'),
    ).toBe(true);
    const registryRequests = requests.filter((r) => r.path.startsWith('/v2/'));
    expect(registryRequests.filter((r) => !r.authorized)).toHaveLength(2);
  });

  test('mount asks for pull on the source repository too', async () => {
    const source = uniqueRepository('bearer-from');
    const target = uniqueRepository('bearer-to');
    const credentials = staticCredentials({ [registry.host]: { username: 'alice', password } });
    const artefact = makeArtefact();
    await pushArtefact(
      new RegistryStore({ registry: registry.host, repository: source, credentials }),
      artefact,
      'v1',
    );
    const before = tokens.requests.length;
    const store = new RegistryStore({
      registry: registry.host,
      repository: target,
      credentials,
      tokenCache: new TokenCache(),
    });
    expect(await store.mount(artefact.layer.descriptor, source)).toBe(true);
    expect(tokens.requests.slice(before).map((r) => r.scopes)).toEqual([
      [`repository:${source}:pull`, `repository:${target}:pull,push`],
    ]);
  });

  test('an identity token is exchanged with the OAuth2 refresh-token POST', async () => {
    const repository = uniqueRepository('bearer-refresh');
    const artefact = makeArtefact();
    const store = new RegistryStore({
      registry: registry.host,
      repository,
      credentials: staticCredentials({ [registry.host]: { identityToken: refreshToken } }),
      tokenCache: new TokenCache(),
    });
    const before = tokens.requests.length;
    await pushArtefact(store, artefact, 'v1');
    const issued = tokens.requests.slice(before);
    expect(issued.length).toBeGreaterThan(0);
    expect(
      issued.every((r) => r.method === 'POST' && r.grantType === 'refresh_token' && r.user === 'alice'),
    ).toBe(true);
    expect((await store.resolve('v1')).digest).toBe(artefact.manifest.descriptor.digest);
  });

  test('anonymous clients pull but cannot push: the error says credentials are missing', async () => {
    const repository = uniqueRepository('bearer-anon');
    const artefact = makeArtefact();
    await pushArtefact(
      new RegistryStore({
        registry: registry.host,
        repository,
        credentials: staticCredentials({ [registry.host]: { username: 'alice', password } }),
      }),
      artefact,
      'v1',
    );
    const anonymous = new RegistryStore({
      registry: registry.host,
      repository,
      credentials: staticCredentials({}),
      tokenCache: new TokenCache(),
    });
    expect((await anonymous.resolve('v1')).digest).toBe(artefact.manifest.descriptor.digest);
    const error = (await anonymous
      .push(makeArtefact().layer.descriptor, Buffer.alloc(0))
      .catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.status).toBe(401);
    expect(error.message).toContain('no credentials were found');
  });

  test('a wrong password is reported by the token service, without the password', async () => {
    const wrong = 'not-the-password-1187';
    const store = new RegistryStore({
      registry: registry.host,
      repository: uniqueRepository('bearer-wrong'),
      credentials: staticCredentials({ [registry.host]: { username: 'alice', password: wrong } }),
      tokenCache: new TokenCache(),
    });
    const error = (await store.resolve('v1').catch((e: unknown) => e)) as Error & { hint?: string };
    expect(error.message).toContain('rejected the credentials');
    expect(error.message).toContain(registry.host);
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain(wrong);
  });
});
