import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { defaultCredentialProvider } from '../../../../artifact/registry/credentials/default-provider';
import { normaliseRegistryKey } from '../../../../artifact/registry/credentials/docker-config';
import { runCredentialHelper } from '../../../../artifact/registry/credentials/helper';
import { installFakeHelper } from './fake-helper';

const b64 = (text: string) => Buffer.from(text).toString('base64');

let helper: Awaited<ReturnType<typeof installFakeHelper>>;

beforeAll(async () => {
  helper = await installFakeHelper({
    'helper.example': { username: 'from-helper', secret: 'helper-secret' },
    'store.example': { username: 'from-store', secret: 'store-secret' },
    'https://index.docker.io/v1/': { username: 'hub-user', secret: 'hub-secret' },
    'token.example': { username: '<token>', secret: 'identity-from-helper' },
  });
});

async function tempHome(files: Record<string, unknown>): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'faasport-home-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(home, path, '..'), { recursive: true });
    await writeFile(join(home, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return home;
}

describe('the credential helper protocol', () => {
  test('username and secret come back; the server URL went in on stdin', async () => {
    expect(await runCredentialHelper('faketest', 'helper.example', { env: helper.env })).toMatchObject({
      username: 'from-helper',
      password: 'helper-secret',
      source: 'credential helper docker-credential-faketest',
    });
    expect(await readFile(helper.stdinLog, 'utf8')).toContain('helper.example\n');
  });

  test('a <token> username means the secret is an identity token', async () => {
    const found = await runCredentialHelper('faketest', 'token.example', { env: helper.env });
    expect(found).toMatchObject({ identityToken: 'identity-from-helper' });
    expect(found?.username).toBeUndefined();
  });

  test('"credentials not found" is no credential, not an error', async () => {
    expect(await runCredentialHelper('faketest', 'nothing.example', { env: helper.env })).toBeUndefined();
  });

  test('other failures are reported with the helper’s exit code and its stderr', async () => {
    await expect(runCredentialHelper('faketest', 'broken.example', { env: helper.env })).rejects.toThrow(
      /^credential helper docker-credential-faketest failed for broken\.example \(exit code 1\): keychain is locked$/,
    );
  });

  test('a failing helper’s stdout is never repeated, and its stderr is one line with secrets blanked', async () => {
    const error = (await runCredentialHelper('faketest', 'leaky.example', { env: helper.env }).catch(
      (e: unknown) => e,
    )) as Error & { hint?: string };
    const said = [error.message, error.hint, error.stack, String(error.cause)].join('\n');
    for (const secret of [
      'Leaked-Secret-0123456789',
      'leaky-user',
      'hunter2-Xy9',
      'AbCdEf0123456789GhIjKlMn',
      'eyJhbGciOiJIUzI1NiJ9',
      'c2lnbmF0dXJlLXNlY3JldA',
    ]) {
      expect(said).not.toContain(secret);
    }
    expect(error.message).toContain('docker-credential-faketest failed for leaky.example (exit code 3)');
    expect(error.message).toContain('keychain refused: password=[redacted]');
    expect(error.message).not.toContain('\n');
  });

  test('a long stderr is cut to one short line', async () => {
    const error = (await runCredentialHelper('faketest', 'loud.example', { env: helper.env }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/\(exit code 4\): x+…$/);
    expect(error.message.length).toBeLessThan(400);
  });

  test('a missing helper and a path-like name are refused clearly', async () => {
    await expect(runCredentialHelper('not-installed-xyz', 'a.example', { env: helper.env })).rejects.toThrow(
      /docker-credential-not-installed-xyz is not installed/,
    );
    await expect(runCredentialHelper('../../bin/sh', 'a.example', { env: helper.env })).rejects.toThrow(
      /invalid credential helper name/,
    );
  });
});

describe('docker config resolution', () => {
  test('registry keys are normalised (legacy URLs, Docker Hub aliases)', () => {
    expect(normaliseRegistryKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseRegistryKey('registry-1.docker.io')).toBe('docker.io');
    expect(normaliseRegistryKey('http://Registry.Example:5000/')).toBe('registry.example:5000');
    expect(normaliseRegistryKey('https://r.example/v2/')).toBe('r.example');
  });

  test('credHelpers[host] wins over credsStore, which wins over auths', async () => {
    const config = {
      credHelpers: { 'helper.example': 'faketest' },
      credsStore: 'faketest',
      auths: {
        'helper.example': { auth: b64('auths-user:auths-pass') },
        'store.example': { auth: b64('auths-user:auths-pass') },
        'auths.example': { auth: b64('auths-user:auths-pass') },
      },
    };
    const home = await tempHome({ 'cfg/config.json': config });
    const provider = defaultCredentialProvider({
      env: { ...helper.env, DOCKER_CONFIG: join(home, 'cfg') },
      home,
    });
    expect(await provider('helper.example')).toMatchObject({
      username: 'from-helper',
      password: 'helper-secret',
    });
    expect(await provider('store.example')).toMatchObject({
      username: 'from-store',
      password: 'store-secret',
    });
    // the store has nothing for this one: auths answers
    expect(await provider('auths.example')).toMatchObject({ username: 'auths-user', password: 'auths-pass' });
    expect(await provider('unknown.example')).toBeUndefined();
    expect(provider.sources).toContain(join(home, 'cfg', 'config.json'));
  });

  test('auths: base64 split at the first colon, legacy keys, identity and registry tokens', async () => {
    const config = {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:pa:ss:word') },
        'http://legacy.example:5000/': { username: 'old', password: 'style' },
        'oauth.example': { auth: b64('<token>:'), identitytoken: 'refresh-abc' },
        'bearer.example': { registrytoken: 'bearer-xyz' },
        'empty.example': {},
      },
    };
    const home = await tempHome({ '.docker/config.json': config });
    const provider = defaultCredentialProvider({ env: { PATH: '/nonexistent' }, home });
    expect(await provider('docker.io')).toMatchObject({ username: 'hubuser', password: 'pa:ss:word' });
    expect(await provider('legacy.example:5000')).toMatchObject({ username: 'old', password: 'style' });
    expect(await provider('oauth.example')).toMatchObject({ identityToken: 'refresh-abc' });
    expect(await provider('bearer.example')).toMatchObject({ registryToken: 'bearer-xyz' });
    expect(await provider('empty.example')).toBeUndefined();
  });

  test('Docker Hub goes to helpers as https://index.docker.io/v1/', async () => {
    const home = await tempHome({ '.docker/config.json': { credsStore: 'faketest' } });
    const provider = defaultCredentialProvider({ env: helper.env, home });
    expect(await provider('docker.io')).toMatchObject({ username: 'hub-user', password: 'hub-secret' });
  });

  test('containers auth.json files are read after docker’s config: XDG_RUNTIME_DIR, then ~/.config', async () => {
    const home = await tempHome({
      '.docker/config.json': { auths: { 'docker-only.example': { auth: b64('d:1') } } },
      'run/containers/auth.json': {
        auths: { 'runtime.example': { auth: b64('r:2') }, 'both.example': { auth: b64('r:3') } },
      },
      '.config/containers/auth.json': {
        auths: { 'both.example': { auth: b64('c:4') }, 'config.example': { auth: b64('c:5') } },
      },
    });
    const provider = defaultCredentialProvider({ env: { XDG_RUNTIME_DIR: join(home, 'run') }, home });
    expect(await provider('docker-only.example')).toMatchObject({ username: 'd', password: '1' });
    expect(await provider('runtime.example')).toMatchObject({ username: 'r', password: '2' });
    expect(await provider('both.example')).toMatchObject({ username: 'r', password: '3' });
    expect(await provider('config.example')).toMatchObject({ username: 'c', password: '5' });
  });

  test('no files at all: no credentials; a corrupt file: an error naming it', async () => {
    const empty = await tempHome({});
    expect(await defaultCredentialProvider({ env: {}, home: empty })('r.example')).toBeUndefined();
    const broken = await tempHome({ '.docker/config.json': '{ not json' });
    await expect(defaultCredentialProvider({ env: {}, home: broken })('r.example')).rejects.toThrow(
      /config\.json is not valid JSON/,
    );
  });
});
