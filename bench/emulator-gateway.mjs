#!/usr/bin/env node
// Warm latency and throughput through the HTTP gateway, and cold-start time, for faasport's
// process and docker engines side by side with serverless-offline 13 (worker threads, its
// default, and --useInProcess) on serverless@3 — the same trivial handler everywhere.
//
//   npm run build && node bench/emulator-gateway.mjs [--duration 5] [--skip-docker] [--authorizer]
//
// --authorizer adds a REST route behind a TOKEN Lambda authorizer (resultTtlInSeconds: 300 on
// both: faasport caches the policy per token, serverless-offline calls the authorizer each time).
//
// Peers come from bench/peers (npm install --prefix bench/peers). Not part of `npm test`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const peers = join(root, 'bench/peers');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    'skip-docker': { type: 'boolean' },
    authorizer: { type: 'boolean' },
  },
});
const duration = Number(values.duration);
if (!existsSync(join(peers, 'node_modules/serverless-offline'))) {
  console.error('bench: peers missing — run `npm install --prefix bench/peers` first');
  process.exit(2);
}
const autocannon = createRequire(join(peers, 'package.json'))('autocannon');

const HANDLER =
  "exports.hello = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"ok\":true}' });\n";
const AUTHORIZER =
  "exports.auth = async (event) => ({ principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] } });\n";
const AUTHORIZED_ROUTE =
  '  auth:\n    handler: handler.auth\n  secure:\n    handler: handler.hello\n    events:\n      - http:\n          method: get\n          path: secure\n          authorizer:\n            name: auth\n            resultTtlInSeconds: 300\n';

async function serviceDir(kind) {
  const dir = await mkdtemp(join(tmpdir(), `faasport-bench-${kind}-`));
  await writeFile(join(dir, 'handler.js'), HANDLER + AUTHORIZER);
  const provider =
    kind === 'faasport'
      ? '  name: faasport\n  runtime: nodejs24.x\n  memorySize: 256\n  targets:\n    aws:\n      region: us-east-1\n'
      : '  name: aws\n  runtime: nodejs20.x\n  region: us-east-1\n';
  const plugins = kind === 'faasport' ? '' : 'plugins:\n  - serverless-offline\n';
  await writeFile(
    join(dir, 'serverless.yml'),
    `service: bench\nframeworkVersion: '3'\n${plugins}provider:\n${provider}functions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: GET /hello\n${values.authorizer ? AUTHORIZED_ROUTE : ''}`,
  );
  if (kind !== 'faasport') {
    const { symlink, mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'node_modules'));
    await symlink(
      join(peers, 'node_modules/serverless-offline'),
      join(dir, 'node_modules/serverless-offline'),
    );
  }
  return dir;
}

function start(command, args, cwd) {
  const child = spawn(command, args, {
    cwd,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stderrText = () => stderr;
  return child;
}

async function waitFor(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${child.stderrText()}`);
    try {
      const response = await fetch(url, { headers: AUTH_HEADERS });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}: ${child.stderrText()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await Promise.race([
    new Promise((resolve) => child.once('exit', resolve)),
    new Promise((resolve) => setTimeout(resolve, 10_000)),
  ]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Sent on every request; only the authorizer's route reads it. */
const AUTH_HEADERS = { authorization: 'Bearer bench-token' };

function load(url, connections) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, pipelining: 1, headers: AUTH_HEADERS }, (error, result) => {
      if (error) reject(error);
      else
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx,
        });
    });
  });
}

/** Median time of a request that cold-starts an instance (recycled before each). */
async function coldStarts(url, recycleUrl, samples = 5) {
  const times = [];
  for (let i = 0; i < samples; i += 1) {
    await (await fetch(recycleUrl, { method: 'POST' })).arrayBuffer();
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (response.headers.get('x-faasport-cold') !== 'true')
      throw new Error('expected a cold start after recycle');
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const results = [];
async function run(name, launch, { cold } = {}) {
  const { child, url, recycleUrl, cleanup } = await launch();
  try {
    await waitFor(url, child);
    for (let i = 0; i < 200; i += 1) await (await fetch(url, { headers: AUTH_HEADERS })).arrayBuffer(); // warm the path
    const one = await load(url, 1);
    const ten = await load(url, 10);
    const coldMs = cold ? await coldStarts(url, recycleUrl) : undefined;
    results.push({ name, one, ten, coldMs });
    console.error(`bench: ${name} done`);
  } finally {
    await stop(child);
    await cleanup();
  }
}

const node = process.execPath;
const faasport = (engine) => async () => {
  const dir = await serviceDir('faasport');
  const port = 3400 + (engine === 'docker' ? 1 : 0);
  const child = start(
    node,
    [
      join(root, 'bin/faasport.js'),
      'emulate',
      '--engine',
      engine,
      '--port',
      String(port),
      '--lambda-port',
      String(port + 100),
    ],
    dir,
  );
  return {
    child,
    url: `http://127.0.0.1:${port}/hello`,
    recycleUrl: `http://127.0.0.1:${port}/__faasport/functions/bench-dev-hello/recycle`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};
const offline = (inProcess) => async () => {
  const dir = await serviceDir('offline');
  const port = 3500 + (inProcess ? 1 : 0);
  const args = [
    join(peers, 'node_modules/serverless/bin/serverless.js'),
    'offline',
    '--httpPort',
    String(port),
    '--lambdaPort',
    String(port + 100),
    '--noTimeout',
  ];
  if (inProcess) args.push('--useInProcess');
  const child = start(node, args, dir);
  return {
    child,
    url: `http://127.0.0.1:${port}/hello`,
    recycleUrl: '',
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

/** The same server, measured on the authorizer's route. */
const secured = (launch, path) => async () => {
  const launched = await launch();
  return { ...launched, url: launched.url.replace(/\/hello$/, path) };
};

await run('serverless-offline 13 (worker threads)', offline(false));
await run('serverless-offline 13 (--useInProcess)', offline(true));
await run('faasport emulate --engine process', faasport('process'), { cold: true });
if (!values['skip-docker']) await run('faasport emulate --engine docker', faasport('docker'), { cold: true });
if (values.authorizer) {
  await run('serverless-offline 13, REST + authorizer', secured(offline(false), '/dev/secure'));
  await run('faasport process, REST+cached authorizer', secured(faasport('process'), '/dev/secure'));
}

const base = results[0];
const pad = (text, width) => String(text).padEnd(width);
console.log(
  `\nGateway benchmark: trivial handler, autocannon ${duration} s per run, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log(
  `${pad('server', 42)}${pad('1 conn req/s', 14)}${pad('p50/p99 ms', 12)}${pad('10 conn req/s', 15)}${pad('p50/p99 ms', 12)}${pad('vs offline (1/10)', 19)}cold start`,
);
for (const r of results) {
  const ratio = `${(r.one.rps / base.one.rps).toFixed(2)}x / ${(r.ten.rps / base.ten.rps).toFixed(2)}x`;
  const errors = r.one.errors + r.ten.errors ? ` (${r.one.errors + r.ten.errors} errors)` : '';
  console.log(
    `${pad(r.name, 42)}${pad(Math.round(r.one.rps), 14)}${pad(`${r.one.p50}/${r.one.p99}`, 12)}${pad(Math.round(r.ten.rps), 15)}${pad(`${r.ten.p50}/${r.ten.p99}`, 12)}${pad(ratio, 19)}${r.coldMs === undefined ? '—' : `${r.coldMs.toFixed(0)} ms`}${errors}`,
  );
}
