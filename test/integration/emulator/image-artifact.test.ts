import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { LambdaFunction } from '../../../emulator/providers/aws/lambda-function';
import { dockerClient, followEngineStream } from '../../helpers/docker';
import { services, uniqueRepository } from '../../helpers/services';

const repoRoot = join(__dirname, '../../..');
let context: string;
let reference: string;

// A container-image function built the way users build them: a runtime image, a runtime client
// as the entrypoint, the handler as the command. Pushed to the registry, removed locally, so the
// emulator has to pull it by reference.
beforeAll(async () => {
  context = await mkdtemp(join(tmpdir(), 'faasport-image-'));
  await cp(join(repoRoot, 'fixtures/lambda-behaviours/index.js'), join(context, 'index.js'));
  await cp(join(repoRoot, 'emulator/runtimes/aws/bootstrap.js'), join(context, 'bootstrap.js'));
  await writeFile(
    join(context, 'Dockerfile'),
    [
      'FROM faasport/runtime-nodejs:24',
      'COPY bootstrap.js /var/runtime/bootstrap.js',
      'COPY index.js /var/task/index.js',
      'ENV LAMBDA_TASK_ROOT=/var/task',
      'WORKDIR /var/task',
      'ENTRYPOINT ["node", "/var/runtime/bootstrap.js"]',
      'CMD ["index.handler"]',
    ].join('\n'),
  );
  const docker = dockerClient();
  reference = `${services().registry.host}/${uniqueRepository('image-fn')}:1`;
  await followEngineStream(
    docker,
    await docker.buildImage({ context, src: ['Dockerfile', 'index.js', 'bootstrap.js'] }, { t: reference }),
  );
  await followEngineStream(docker, await docker.getImage(reference).push({ authconfig: {} }));
  await docker.getImage(reference).remove();
}, 180_000);

afterAll(async () => {
  await rm(context, { recursive: true, force: true });
  await dockerClient()
    .getImage(reference)
    .remove()
    .catch(() => undefined);
});

const config = (image: string) => ({
  name: 'faasport-test-dev-image',
  handler: '',
  image,
  runtime: 'nodejs24.x',
  memorySizeMb: 256,
  timeoutSeconds: 5,
  environment: {},
  region: 'us-east-1',
  accountId: '123456789012',
});

test('an image artefact is pulled and runs as built, cold then warm, against the Runtime API', async () => {
  const fn = new LambdaFunction({
    config: config(reference),
    codeDir: repoRoot,
    engine: new DockerEngine({ docker: dockerClient() }),
    logger: new MemoryLogger(),
    maxConcurrency: 1,
    idleTimeoutMs: 60_000,
  });
  try {
    const cold = await fn.invoke(Buffer.from('{"echo":"image"}'));
    const warm = await fn.invoke(Buffer.from('{"echo":"again"}'));
    expect(cold.functionError).toBeUndefined();
    expect(JSON.parse(cold.payload.toString())).toMatchObject({
      echo: 'image',
      invocations: 1,
      functionName: 'faasport-test-dev-image',
    });
    expect(cold.cold).toBe(true);
    expect(warm.cold).toBe(false);
    expect(JSON.parse(warm.payload.toString())).toMatchObject({ echo: 'again', invocations: 2 });
  } finally {
    await fn.close();
  }
});

test('the process engine refuses an image artefact with a clear error', async () => {
  const fn = new LambdaFunction({
    config: config(reference),
    codeDir: repoRoot,
    engine: new ProcessEngine(),
    logger: new MemoryLogger(),
    maxConcurrency: 1,
    idleTimeoutMs: 60_000,
  });
  await expect(fn.invoke(Buffer.from('{}'))).rejects.toThrow(
    /container image, which needs the docker engine/,
  );
  await fn.close();
});
