import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { dockerClient, followEngineStream } from '../../helpers/docker';
import { run } from '../../helpers/run';
import { services, uniqueRepository } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

interface SkopeoInspect {
  Digest: string;
  Layers: string[];
}

test('an image built FROM the Node 24 runtime image, pushed by the engine, reads back identically with skopeo', async () => {
  const { registry, skopeo, runtimeImages } = services();
  const docker = dockerClient();
  const context = await tempDir();
  await writeFile(join(context, 'hello.js'), "console.log('hello from faasport');\n");
  await writeFile(
    join(context, 'Dockerfile'),
    `FROM ${runtimeImages.nodejs24}\nCOPY hello.js /var/task/hello.js\nCMD ["node", "/var/task/hello.js"]\n`,
  );
  const reference = `${registry.host}/${uniqueRepository('rig-push')}:v1`;

  // No pull: the base image only exists locally, so a pull attempt would fail the build.
  await followEngineStream(
    docker,
    await docker.buildImage({ context, src: ['Dockerfile', 'hello.js'] }, { t: reference, pull: false }),
  );
  onTestFinished(() =>
    docker
      .getImage(reference)
      .remove({ force: true })
      .then(() => undefined),
  );

  // The engine wants an X-Registry-Auth header even for an anonymous registry.
  const pushEvents = await followEngineStream(
    docker,
    await docker.getImage(reference).push({ authconfig: {} }),
  );
  const pushed = pushEvents.find((event) => event.aux?.Digest)?.aux;
  expect(pushed?.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  const local = await docker.getImage(reference).inspect();
  expect(local.RepoDigests).toContain(`${reference.replace(/:v1$/, '')}@${pushed?.Digest}`);

  const remoteRef = `docker://${reference}`;
  const inspected = await run(skopeo, ['inspect', '--tls-verify=false', remoteRef]);
  expect(inspected.stderr).toBe('');
  expect(inspected.code).toBe(0);
  const remote = JSON.parse(inspected.stdout) as SkopeoInspect;
  expect(remote.Digest).toBe(pushed?.Digest);
  // The base layer and the COPY layer.
  expect(remote.Layers).toHaveLength(2);
  expect(local.RootFS.Layers).toHaveLength(2);

  // The engine's image id is the digest of the config, and its layers are the config's diff ids.
  const manifest = JSON.parse(
    (await run(skopeo, ['inspect', '--raw', '--tls-verify=false', remoteRef])).stdout,
  ) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  expect(manifest.config.digest).toBe(local.Id);
  expect(manifest.layers.map((layer) => layer.digest)).toEqual(remote.Layers);
  const config = JSON.parse(
    (await run(skopeo, ['inspect', '--config', '--tls-verify=false', remoteRef])).stdout,
  ) as {
    rootfs: { diff_ids: string[] };
  };
  expect(config.rootfs.diff_ids).toEqual(local.RootFS.Layers);
});
