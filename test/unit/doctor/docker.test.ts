import { describe, expect, test } from 'vitest';
import { checkDockerEngine, type DockerProbe, dockerEndpoint } from '../../../cli/doctor/docker';
import { checkRuntimeImages, RUNTIME_IMAGES } from '../../../cli/doctor/runtime-images';
import { fakeHost } from './fake-host';

const probe = (images: string[] = [], down?: Error): DockerProbe => ({
  version: async () => {
    if (down) throw down;
    return { Version: '20.10.24', ApiVersion: '1.41' };
  },
  hasImage: async (reference) => images.includes(reference),
});

describe('dockerEndpoint', () => {
  test('defaults to the standard unix socket', () => {
    expect(dockerEndpoint({})).toEqual({
      address: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
      fromEnv: false,
    });
  });
  test('follows DOCKER_HOST for unix and tcp endpoints', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/0/docker.sock' })).toMatchObject({
      socketPath: '/run/user/0/docker.sock',
      fromEnv: true,
    });
    const tcp = dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(tcp).toEqual({ address: 'tcp://127.0.0.1:2375', fromEnv: true });
  });
});

describe('checkDockerEngine', () => {
  const socket = '/var/run/docker.sock';
  test('reports version and socket when the engine answers', async () => {
    const check = await checkDockerEngine(fakeHost({ files: [socket] }), dockerEndpoint({}), probe());
    expect(check).toEqual({
      name: 'Docker engine',
      status: 'ok',
      required: false,
      detail: '20.10.24 (API 1.41) at unix:///var/run/docker.sock',
    });
  });
  test('warns (not required) when the socket is absent, naming the script that starts one', async () => {
    const check = await checkDockerEngine(fakeHost(), dockerEndpoint({}), probe());
    expect(check).toMatchObject({ status: 'warn', required: false });
    expect(check.detail).toContain(`no socket at ${socket}`);
    expect(check.detail).toContain('scripts/services.sh start');
  });
  test('warns with the reason when the engine does not answer', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const check = await checkDockerEngine(
      fakeHost({ files: [socket] }),
      dockerEndpoint({}),
      probe([], refused),
    );
    expect(check).toMatchObject({ status: 'warn', required: false });
    expect(check.detail).toContain('ECONNREFUSED');
  });
});

describe('checkRuntimeImages', () => {
  test('one row per runtime image: present ones ok, missing ones warn with the build script', async () => {
    const checks = await checkRuntimeImages(probe(['faasport/runtime-nodejs:24']));
    expect(checks.map((c) => c.name)).toEqual(RUNTIME_IMAGES.map((image) => `runtime image ${image}`));
    expect(checks.map((c) => c.status)).toEqual(['warn', 'ok', 'warn']);
    expect(checks[0]?.detail).toContain('scripts/services.sh start');
    expect(checks.every((c) => !c.required)).toBe(true);
  });
  test('says it could not look when no engine answered', async () => {
    const checks = await checkRuntimeImages(undefined);
    expect(checks.every((c) => c.status === 'warn' && c.detail.includes('no Docker engine'))).toBe(true);
  });
});
