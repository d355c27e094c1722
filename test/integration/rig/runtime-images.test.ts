import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { dockerClient } from '../../helpers/docker';
import { services } from '../../helpers/services';

/** Runs `cmd` in a fresh container of `image`, removes the container, returns what it printed. */
async function runInContainer(image: string, cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const docker = dockerClient();
  // Nothing is pulled: the image must be local.
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    Labels: { 'org.faasport.test': 'rig' },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // A followed log stream (not a buffered body, which dockerode would parse when it looks like
    // JSON), split into stdout and stderr by the engine's multiplexing header.
    const logs = await container.logs({ stdout: true, stderr: true, follow: true });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    docker.modem.demuxStream(logs, sink, sink);
    await finished(logs);
    return { output: Buffer.concat(chunks).toString('utf8').trim(), exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  }
}

describe('runtime images built by scripts/runtime-images.sh', () => {
  test.each([
    ['nodejs22', 22],
    ['nodejs24', 24],
  ])('%s runs node --version and reports major %i', async (runtime, major) => {
    const image = services().runtimeImages[runtime];
    expect(image).toBeDefined();
    const version = await runInContainer(image!, ['node', '--version']);
    expect(version).toEqual({
      exitCode: 0,
      output: expect.stringMatching(new RegExp(`^v${major}\\.\\d+\\.\\d+$`)),
    });
    // The libraries ldd listed are there: TLS, crypto and the user database work.
    const probe = await runInContainer(image!, [
      'node',
      '-e',
      'require("node:tls"); console.log(require("node:crypto").createHash("sha256").update("x").digest("hex").length, require("node:os").userInfo().username)',
    ]);
    expect(probe).toEqual({ exitCode: 0, output: '64 root' });
  });

  test('python3 runs python3 --version and its standard library loads', async () => {
    const image = services().runtimeImages.python3;
    expect(image).toBeDefined();
    const version = await runInContainer(image!, ['python3', '--version']);
    expect(version).toEqual({ exitCode: 0, output: expect.stringMatching(/^Python 3\.\d+\.\d+$/) });
    const probe = await runInContainer(image!, [
      'python3',
      '-c',
      'import json, ssl, sqlite3, ctypes, zlib, hashlib, pwd; print(json.dumps({"user": pwd.getpwuid(0).pw_name, "ssl": ssl.OPENSSL_VERSION.split()[0]}))',
    ]);
    expect(probe.exitCode).toBe(0);
    expect(JSON.parse(probe.output)).toEqual({ user: 'root', ssl: 'OpenSSL' });
  });

  test('every runtime image carries the recipe label that makes rebuilds no-ops', async () => {
    const docker = dockerClient();
    for (const image of Object.values(services().runtimeImages)) {
      const { Config } = await docker.getImage(image).inspect();
      expect(Config.Labels?.['org.faasport.recipe']).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
