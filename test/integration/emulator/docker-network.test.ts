import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { dockerClient } from '../../helpers/docker';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';
import { freePort } from '../../helpers/ports';

const suffix = randomBytes(4).toString('hex');
const NETWORK = `faasport-net-${suffix}`;

/** A function that calls a compose service by name, and says where host.docker.internal is. */
const SERVICE = `service: netted
provider:
  name: faasport
  runtime: nodejs22.x
  memorySize: 128
  targets:
    aws: {}
    gcp: { project: p, region: europe-west1 }
custom:
  faasport:
    dockerNetwork: ${NETWORK}
functions:
  call:
    handler: call.handler
    targets: [aws]
    package: { patterns: ['!**', 'call.js'] }
    events: [{ httpApi: GET /call }]
  hi:
    handler: index.hi
    targets: [gcp]
    gcp: { entryPoint: hi }
    package: { patterns: ['!**', 'index.js'] }
`;

const CALL = `const dns = require('node:dns/promises');
exports.handler = async () => {
  const service = await (await fetch('http://echo-svc:8080/')).text();
  const host = (await dns.lookup('host.docker.internal')).address;
  return { statusCode: 200, body: JSON.stringify({ service, host }) };
};
`;

const HI = `exports.hi = (req, res) => res.send('hi from a network');
`;

/** Runs `node -e script` in a container and returns what it printed on stdout. */
async function execNode(docker: Docker, container: Docker.Container, script: string): Promise<string> {
  const exec = await container.exec({ Cmd: ['node', '-e', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(stream, stdout, new PassThrough());
  await new Promise((resolve) => stream.on('end', resolve));
  return Buffer.concat(chunks).toString().trim();
}

describe('--docker-network / custom.faasport.dockerNetwork', () => {
  const docker = dockerClient();
  let dir: string;
  let emulator: Emulator;
  let service: Docker.Container;
  let gateway: string;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    const network = await docker.createNetwork({ Name: NETWORK, Driver: 'bridge' });
    gateway = ((await network.inspect()) as { IPAM: { Config: { Gateway: string }[] } }).IPAM.Config[0]
      ?.Gateway as string;
    // A compose-like service on the network: the local runtime image running a tiny server.
    service = await docker.createContainer({
      name: `faasport-echo-${suffix}`,
      Image: 'faasport/runtime-nodejs:22',
      Cmd: ['node', '-e', "require('http').createServer((q, s) => s.end('from compose')).listen(8080)"],
      HostConfig: { NetworkMode: NETWORK },
      NetworkingConfig: { EndpointsConfig: { [NETWORK]: { Aliases: ['echo-svc'] } } },
      Labels: { faasport: 'test' },
    });
    await service.start();
    dir = await mkdtemp(join(tmpdir(), 'faasport-network-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'call.js'), CALL);
    await writeFile(join(dir, 'index.js'), HI);
    emulator = await startEmulator(join(dir, 'serverless.yml'), {
      engine: 'docker',
      gcpPort: 0,
      logger,
      inspect: { brk: false, targets: [{ function: 'call', port: await freePort() }] },
    });
  }, 180_000);
  afterAll(async () => {
    await emulator?.stop();
    await service?.remove({ force: true });
    await docker
      .getNetwork(NETWORK)
      .remove()
      .catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a function reaches a compose service by name; the Runtime API still answers; host.docker.internal is this machine', async () => {
    const response = await fetch(`${emulator.urls.gateway}/call`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ service: 'from compose', host: gateway });
  });

  test('a compose service reaches the function by its name on the network', async () => {
    const address = await execNode(
      docker,
      service,
      "require('dns').lookup('netted-dev-call', (e, a) => console.log(e ? e.code : a))",
    );
    const subnet = gateway.split('.').slice(0, 2).join('.');
    expect(address.startsWith(`${subnet}.`)).toBe(true);
  });

  test('an HTTP-served function (GCP) answers through its port published on loopback', async () => {
    const response = await fetch(`${emulator.urls.gcp}/netted-dev-hi`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hi from a network');
  });

  test('the inspector port is published on 127.0.0.1', async () => {
    const port = emulator.inspected?.functions[0]?.port;
    const targets = await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/json/list`).then(
          (r) => r.json() as Promise<{ webSocketDebuggerUrl?: string }[]>,
          () => [],
        ),
      (list) => list.length > 0,
    );
    expect(targets[0]?.webSocketDebuggerUrl).toContain(`:${port}/`);
  });

  test('a network that does not exist stops the start with what to do', async () => {
    const { Emulator } = await import('../../../emulator/emulator');
    const { loadService } = await import('../../../common/service/load-service');
    const broken = new Emulator({
      model: await loadService(join(dir, 'serverless.yml')),
      engine: 'docker',
      dockerNetwork: `no-such-network-${suffix}`,
      port: 0,
      lambdaPort: 0,
      gcpPort: 0,
      logger,
    });
    await expect(broken.start().finally(() => broken.stop())).rejects.toThrow(
      `docker network "no-such-network-${suffix}" does not exist`,
    );
  });
});
