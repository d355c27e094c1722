#!/usr/bin/env node
// sls deploy of 50 functions against the local Lambda control plane, with real processes: a
// first deploy (50 creates, bounded concurrency) and a no-op reconcile of the same 50 (same
// digests, same settings). Prints wall time and the calls made (from the request log).
//
//   npm run build && node bench/deploy/deploy-50.mjs [--functions 50] [--concurrency 8] [--pending-ms 1000] [--update-ms 500]
//
// Needs Debian's docker-registry (the artefacts are pushed to a throwaway registry on 127.0.0.1;
// falls back to a local OCI layout without it). Not part of `npm test`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('plugin/index.js'))) {
  console.error('bench: dist/ is missing — run `npm run build` first');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '8' },
    'pending-ms': { type: 'string', default: '1000' },
    'update-ms': { type: 'string', default: '500' },
  },
});
const count = Number(values.functions);
const { startLocalCloud } = await import(dist('local-cloud/local-cloud.js'));
const { writeCloudFile } = await import(dist('local-cloud/cloud-file.js'));
const { openStore } = await import(dist('artifact/open-store.js'));
const { parseReference } = await import(dist('artifact/reference.js'));
const { publishFolder } = await import(dist('artifact/publish/publish-folder.js'));
const sls = join(root, 'node_modules/serverless/bin/serverless.js');

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A throwaway CNCF distribution registry, or undefined when the binary is not installed. */
async function startRegistry(dir) {
  if (!existsSync('/usr/bin/docker-registry')) return undefined;
  const port = await freePort();
  const config = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') } },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(12).toString('hex') },
  };
  await writeFile(join(dir, 'registry.yml'), JSON.stringify(config));
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    if (
      await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function runSls(cwd, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [sls, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        SLS_SCHEMA_CACHE_BASE_DIR: cwd,
        CI: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`sls ${args.join(' ')} exited ${code}:\n${output}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'faasport-bench-deploy-'));
const registry = await startRegistry(dir);
const cloud = await startLocalCloud({
  aws: { pendingMs: Number(values['pending-ms']), updateMs: Number(values['update-ms']) },
});
try {
  const keys = Array.from({ length: count }, (_, i) => `fn${String(i).padStart(3, '0')}`);
  await mkdir(join(dir, 'fn'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(root, join(dir, 'node_modules', 'serverless-faasport'), 'dir');
  const referenceOf = (key) => (registry ? `${registry.host}/bench/${key}:v1` : `oci:.faasport/store:${key}`);
  const functions = keys
    .map(
      (key) =>
        `  ${key}:\n    handler: fn/${key}.handler\n    sourceArtifact: "${referenceOf(key)}"\n    package: { patterns: ["!**", "fn/${key}.js"] }`,
    )
    .join('\n');
  await writeFile(
    join(dir, 'serverless.yml'),
    `service: bench\nplugins: [serverless-faasport]\nprovider:\n  name: faasport\n  memorySize: 256\n  targets:\n    aws: { region: us-east-1, role: "arn:aws:iam::000000000000:role/bench" }\nfunctions:\n${functions}\n`,
  );
  for (const key of keys) {
    await writeFile(join(dir, 'fn', `${key}.js`), `exports.handler = async () => ${JSON.stringify(key)};\n`);
    const reference = parseReference(referenceOf(key));
    await publishFolder(
      openStore(reference, { baseDir: dir }),
      { sourceDir: dir, patterns: ['!**', `fn/${key}.js`], nodeModules: 'none' },
      reference.tag,
    );
  }
  await writeCloudFile(dir, cloud.endpoints);
  await runSls(dir, ['print']); // warm the framework's schema cache: not part of either figure

  const calls = () => {
    const requests = cloud.requests();
    return { total: requests.length, writes: requests.filter((r) => r.write).length };
  };
  const args = ['deploy', '--local-cloud', '.', '--concurrency', values.concurrency];
  cloud.clearRequests();
  const first = await runSls(dir, args);
  const firstCalls = calls();
  cloud.clearRequests();
  const noop = await runSls(dir, args);
  const noopCalls = calls();
  const source = registry ? `registry ${registry.host}` : 'local OCI layout';
  console.log(
    `faasport deploy bench: ${count} functions, serverless@3, artefacts in a ${source}, local Lambda control plane (Pending ${values['pending-ms']} ms, update ${values['update-ms']} ms)`,
  );
  console.log(
    `  first deploy (concurrency ${values.concurrency}): ${first.toFixed(2)} s wall, ${firstCalls.total} calls (${firstCalls.writes} writes)`,
  );
  console.log(
    `  no-op reconcile:            ${noop.toFixed(2)} s wall, ${noopCalls.total} calls (${noopCalls.writes} writes)`,
  );
} finally {
  await cloud.stop();
  registry?.stop();
  await rm(dir, { recursive: true, force: true });
}
