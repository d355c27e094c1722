#!/usr/bin/env node
// Hot reload: the time from a file write to the first response served by the new code, for
// faasport's process and docker engines (`faasport dev`) side by side with serverless-offline 13
// `--reloadHandler` on serverless@3 — the same handler, the same serverless.yml shape and the
// same edits everywhere (targets: ≤ 300 ms process engine, ≤ 1.5 s docker engine, median of 20).
//
//   npm run build && node_modules/.bin/node bench/hot-reload.mjs [--edits 20] [--servers process,docker,offline] [--deps 50] [--json]
//
// --deps N gives the service N MB of production dependencies in node_modules (about 100 files
// per MB, in 50 packages, text that compresses like source code), as a real project has: the
// edit still touches one handler file, so a reload should cost the same as without them.
//
// Each edit rewrites handler.js in place (what most editors do on save) with a new version
// marker, then polls the route — one request in flight, 5 ms between requests — until the body
// carries the new marker. Every non-2xx answer and connection error while polling is counted.
// Peers come from bench/peers (npm install --prefix bench/peers). Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const peers = join(root, 'bench/peers');
const SERVERS = ['process', 'docker', 'offline'];
const POLL_PAUSE_MS = 5; // between two polls; one request in flight
const EDIT_TIMEOUT_MS = 20_000; // an edit not served by then counts as a timeout
const SETTLE_MS = 500; // quiet time after an edit is served, before the next one
const TARGET_MS = { process: 300, docker: 1500 };

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      edits: { type: 'string', default: '20' },
      servers: { type: 'string', default: SERVERS.join(',') },
      deps: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail(
    `${error.message}\n  usage: node bench/hot-reload.mjs [--edits 20] [--servers ${SERVERS.join(',')}] [--deps 50] [--json]`,
  );
}
const depsMb = Number(values.deps);
if (!Number.isFinite(depsMb) || depsMb < 0) fail(`--deps must be a number of MB ≥ 0, got "${values.deps}"`);
const edits = Number(values.edits);
if (!Number.isInteger(edits) || edits < 1) fail(`--edits must be a whole number ≥ 1, got "${values.edits}"`);
const servers = values.servers
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const server of servers) {
  if (!SERVERS.includes(server)) fail(`--servers takes ${SERVERS.join(', ')}; got "${server}"`);
}

// ---- preconditions -------------------------------------------------------------------------

if (Number(process.versions.node.split('.')[0]) < 22) {
  fail(
    `Node ${process.version} is too old for faasport (≥ 22), and every server must run on the same Node — run it as \`node_modules/.bin/node bench/hot-reload.mjs\``,
  );
}
if (!existsSync(join(root, 'dist/cli/main.js'))) fail('dist/ is missing — run `npm run build` first');
{
  // A stale build would measure yesterday's code: say so, without refusing.
  const newest = (dir, ext) => {
    let latest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith(ext) && !entry.name.endsWith('.d.ts'))
        latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
    return latest;
  };
  const sources = Math.max(
    ...['artifact', 'cli', 'common', 'emulator'].map((d) => newest(join(root, d), '.ts')),
  );
  if (sources > newest(join(root, 'dist'), '.js'))
    console.error(
      'bench: warning — sources are newer than dist/; run `npm run build` to measure the current code',
    );
}
if (servers.includes('offline') && !existsSync(join(peers, 'node_modules/serverless-offline'))) {
  fail('peers missing — run `npm install --prefix bench/peers` first (or leave out --servers offline)');
}
if (servers.includes('docker')) {
  const doctor = spawnSync(process.execPath, [join(root, 'bin/faasport.js'), 'doctor', '--json'], {
    encoding: 'utf8',
  });
  let checks = [];
  try {
    checks = JSON.parse(doctor.stdout).checks;
  } catch {
    fail(`\`faasport doctor --json\` did not answer: ${doctor.stderr || doctor.stdout}`);
  }
  const check = (name) => checks.find((c) => c.name === name) ?? { status: 'missing', detail: 'not checked' };
  const engine = check('Docker engine');
  if (engine.status !== 'ok')
    fail(
      `no Docker engine for --servers docker (${engine.detail}) — start one (\`npm run services:start\`) or leave docker out: --servers process,offline`,
    );
  const image = check('runtime image faasport/runtime-nodejs:24');
  if (image.status !== 'ok')
    fail(
      `runtime image faasport/runtime-nodejs:24 is missing (${image.detail}) — run \`bash scripts/runtime-images.sh\``,
    );
}

const PORTS = { process: 3410, docker: 3420, offline: 3430 };
async function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
for (const server of servers) {
  // gateway, Lambda API, GCP, Azure: base, +1, +2, +3
  for (let port = PORTS[server]; port < PORTS[server] + 4; port += 1) {
    if (!(await portFree(port)))
      fail(`port ${port} is in use (needed for ${server}) — stop what listens there`);
  }
}

// ---- the service ---------------------------------------------------------------------------

/** The handler at version `n`: the edit changes only the marker, like a one-line code change. */
const handler = (n) =>
  `'use strict';\n\nconst VERSION = 'v${n}';\n\nexports.hello = async () => ({\n  statusCode: 200,\n  headers: { 'content-type': 'application/json' },\n  body: JSON.stringify({ version: VERSION }),\n});\n`;

/**
 * `mb` MB of production dependencies: 50 packages, ~100 files per MB of ~10 KB each, text made of
 * a fixed pseudo-random word list (compresses about as well as JavaScript). Deterministic.
 */
async function writeDependencies(dir, mb) {
  const packages = 50;
  const files = Math.round(mb * 100);
  const words = [
    'const',
    'function',
    'return',
    'require',
    'module',
    'exports',
    'value',
    'await',
    'if',
    'else',
    'for',
    'let',
    'this',
    'new',
    'null',
    'true',
    'false',
    'error',
    'options',
    'callback',
  ];
  let seed = 1;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const dependencies = {};
  for (let p = 0; p < packages; p += 1) {
    const name = `bench-dep-${p}`;
    dependencies[name] = '1.0.0';
    const pkgDir = join(dir, 'node_modules', name);
    await mkdir(join(pkgDir, 'lib'), { recursive: true });
    await writeFile(
      join(pkgDir, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', main: 'lib/f0.js' }),
    );
    for (let f = p; f < files; f += packages) {
      let text = '';
      while (text.length < 10_000) text += `${words[next() % words.length]}${next() % 7 === 0 ? '\n' : ' '}`;
      await writeFile(join(pkgDir, 'lib', `f${f}.js`), text);
    }
  }
  return dependencies;
}

async function serviceDir(kind) {
  const dir = await mkdtemp(join(tmpdir(), `faasport-bench-reload-${kind}-`));
  await writeFile(join(dir, 'handler.js'), handler(0));
  if (depsMb > 0) {
    const dependencies = await writeDependencies(dir, depsMb);
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'bench', private: true, dependencies }),
    );
  }
  const provider =
    kind === 'offline'
      ? '  name: aws\n  runtime: nodejs20.x\n  region: us-east-1\n'
      : '  name: faasport\n  runtime: nodejs24.x\n  memorySize: 256\n  targets:\n    aws:\n      region: us-east-1\n';
  const plugins =
    kind === 'offline' ? 'plugins:\n  - serverless-offline\n' : 'plugins:\n  - serverless-faasport\n';
  await writeFile(
    join(dir, 'serverless.yml'),
    `service: bench\nframeworkVersion: '3'\n${plugins}provider:\n${provider}functions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: GET /hello\n`,
  );
  if (kind === 'offline') {
    // serverless-offline must resolve from the service; faasport's CLI reads serverless.yml
    // itself (and would pack a node_modules folder, so the faasport folder has none).
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(
      join(peers, 'node_modules/serverless-offline'),
      join(dir, 'node_modules/serverless-offline'),
    );
  }
  return dir;
}

// ---- servers -------------------------------------------------------------------------------

/** Runs a server in its own process group, keeping the tail of its output for error messages. */
function start(args, cwd, onLine) {
  const child = spawn(process.execPath, args, {
    cwd,
    detached: true,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      tail = (tail + chunk).slice(-4000);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) onLine?.(line, performance.now());
    });
  }
  child.outputTail = () => tail;
  return child;
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGINT to the server (it stops what it started), then whatever is left of its group. */
async function stop(child) {
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', resolve);
  });
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  await Promise.race([exited, sleep(20_000)]);
  const clean = child.exitCode !== null || child.signalCode !== null;
  let stragglers = false;
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    if (!groupAlive(child.pid)) break;
    stragglers = true;
    process.kill(-child.pid, signal);
    await sleep(1000);
  }
  return { clean, stragglers };
}

function faasportContainers(pid) {
  const result = spawnSync('docker', ['ps', '-aq', '--filter', `label=org.faasport.owner=${pid}`], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}

const launchers = {
  process: (dir, onLine) => faasport('process', dir, onLine),
  docker: (dir, onLine) => faasport('docker', dir, onLine),
  offline: (dir, onLine) =>
    start(
      [
        join(peers, 'node_modules/serverless/bin/serverless.js'),
        'offline',
        '--httpPort',
        String(PORTS.offline),
        '--lambdaPort',
        String(PORTS.offline + 1),
        '--noTimeout',
        '--reloadHandler',
      ],
      dir,
      onLine,
    ),
};
function faasport(engine, dir, onLine) {
  const port = PORTS[engine];
  return start(
    [
      join(root, 'bin/faasport.js'),
      'dev',
      '--engine',
      engine,
      '--port',
      String(port),
      '--lambda-port',
      String(port + 1),
      '--gcp-port',
      String(port + 2),
      '--azure-port',
      String(port + 3),
    ],
    dir,
    onLine,
  );
}
const NAMES = {
  process: 'faasport dev --engine process',
  docker: 'faasport dev --engine docker',
  offline: 'serverless-offline 13 --reloadHandler',
};

// ---- measuring -----------------------------------------------------------------------------

async function get(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  let version;
  try {
    version = JSON.parse(body).version;
  } catch {
    version = undefined;
  }
  return { status: response.status, version, headers: response.headers };
}

async function waitForVersion(url, child, version, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${child.outputTail()}`);
    try {
      const answer = await get(url);
      if (answer.status === 200 && answer.version === version) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${version} at ${url}:\n${child.outputTail()}`);
    await sleep(100);
  }
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
function median(xs) {
  if (xs.length === 0) return undefined;
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const nearestRank = (xs, p) =>
  xs.length ? sorted(xs)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)] : undefined;

// `in N ms`: the reload's start to the new code serving (a draft, tried and swapped in);
// `packed like publish in M ms`: to the digest publish would compute, printed with it.
const RELOADED = /reloaded \S+ → \S+ in (\d+) ms(?: \(packed like publish in (\d+) ms\))?/;
const NOT_STARTING = /new code does not start|cannot pack the new code|hot reload failed/;

const results = [];
const live = { child: undefined, dir: undefined };

async function run(server) {
  // Per edit: when faasport logged the swap (bench clock) and its own reload time.
  let edit;
  const reloadProblems = [];
  const onLine = (line, at) => {
    const reloaded = RELOADED.exec(line);
    if (reloaded && edit && edit.swapAt === undefined) {
      edit.swapAt = at;
      edit.reloadMs = Number(reloaded[1]);
      edit.packedMs = Number(reloaded[2] ?? reloaded[1]);
    }
    if (NOT_STARTING.test(line)) reloadProblems.push(line.trim());
  };
  const dir = await serviceDir(server === 'offline' ? 'offline' : 'faasport');
  live.dir = dir;
  const child = launchers[server](dir, onLine);
  live.child = child;
  const url = `http://127.0.0.1:${PORTS[server]}/hello`;
  const samples = [];
  let failed = 0;
  let stale = 0;
  let polls = 0;
  let timeouts = 0;
  const errors = new Map();
  const breakdown = { reload: [], packed: [], detectAndRequest: [], coldInit: [] };
  let stopped;
  try {
    const startedAt = performance.now();
    await waitForVersion(url, child, 'v0');
    const startupMs = performance.now() - startedAt;
    for (let n = 1; n <= edits; n += 1) {
      await get(url); // each edit starts from a warm server on the previous version
      const want = `v${n}`;
      edit = {};
      const t0 = performance.now();
      edit.t0 = t0;
      await writeFile(join(dir, 'handler.js'), handler(n));
      let servedMs;
      let answer;
      while (performance.now() - t0 < EDIT_TIMEOUT_MS) {
        polls += 1;
        try {
          answer = await get(url);
          if (answer.status >= 200 && answer.status < 300) {
            if (answer.version === want) {
              servedMs = performance.now() - t0;
              break;
            }
            stale += 1;
          } else {
            failed += 1;
            errors.set(`HTTP ${answer.status}`, (errors.get(`HTTP ${answer.status}`) ?? 0) + 1);
          }
        } catch (error) {
          failed += 1;
          const key = error.cause?.code ?? error.name;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        await sleep(POLL_PAUSE_MS);
      }
      if (child.exitCode !== null)
        throw new Error(`server exited (${child.exitCode}):\n${child.outputTail()}`);
      if (servedMs === undefined) {
        timeouts += 1;
        console.error(`bench: ${server} edit ${n}: v${n} not served within ${EDIT_TIMEOUT_MS} ms`);
        continue;
      }
      samples.push(servedMs);
      await sleep(SETTLE_MS); // lets the reload finish (old instances drain) and late log lines land
      if (server !== 'offline' && edit.swapAt !== undefined) {
        breakdown.reload.push(edit.reloadMs);
        breakdown.packed.push(edit.packedMs);
        breakdown.detectAndRequest.push(servedMs - edit.reloadMs);
      }
      const init = Number(answer.headers.get('x-faasport-init-ms'));
      if (answer.headers.get('x-faasport-cold') === 'true' && Number.isFinite(init))
        breakdown.coldInit.push(init);
    }
    edit = undefined;
    stopped = await stop(child);
    const left = server === 'docker' ? faasportContainers(child.pid) : [];
    results.push({
      server,
      name: NAMES[server],
      startupMs,
      samples,
      timeouts,
      failed,
      errors: Object.fromEntries(errors),
      stale,
      polls,
      reloadProblems,
      breakdown,
      stoppedCleanly: stopped.clean && !stopped.stragglers,
      leftoverContainers: left.length,
    });
    console.error(`bench: ${NAMES[server]} done`);
  } finally {
    if (!stopped) await stop(child);
    live.child = undefined;
    await rm(dir, { recursive: true, force: true });
    live.dir = undefined;
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    console.error(`bench: ${signal} — stopping the server and removing its folder`);
    if (live.child) await stop(live.child);
    if (live.dir) await rm(live.dir, { recursive: true, force: true });
    process.exit(130);
  });
}

let failure;
for (const server of servers) {
  try {
    await run(server);
  } catch (error) {
    failure = error;
    console.error(`bench: ${NAMES[server]} failed: ${error.message}`);
  }
}

// ---- report --------------------------------------------------------------------------------

const round = (x) => (x === undefined ? undefined : Math.round(x));
const offline = results.find((r) => r.server === 'offline');
const offlineMedian = offline ? median(offline.samples) : undefined;
const summary = results.map((r) => {
  const med = median(r.samples);
  const target = TARGET_MS[r.server];
  return {
    server: r.name,
    engine: r.server,
    edits,
    served: r.samples.length,
    medianMs: round(med),
    p90Ms: round(nearestRank(r.samples, 90)),
    minMs: round(r.samples.length ? Math.min(...r.samples) : undefined),
    maxMs: round(r.samples.length ? Math.max(...r.samples) : undefined),
    vsOffline: offlineMedian && med !== undefined ? Number((med / offlineMedian).toFixed(2)) : undefined,
    targetMs: target,
    targetMet: target === undefined ? undefined : med !== undefined && med <= target && r.timeouts === 0,
    failedRequests: r.failed,
    failedBy: r.errors,
    staleResponses: r.stale,
    polls: r.polls,
    timeouts: r.timeouts,
    reloadProblems: r.reloadProblems.length,
    ...(r.server === 'offline'
      ? {}
      : {
          breakdownMedianMs: {
            reloadToNewCodeServing: round(median(r.breakdown.reload)),
            reloadToPublishDigest: round(median(r.breakdown.packed)),
            watchAndFirstNewRequest: round(median(r.breakdown.detectAndRequest)),
            coldInit: round(median(r.breakdown.coldInit)),
          },
        }),
    startupMs: round(r.startupMs),
    stoppedCleanly: r.stoppedCleanly,
    leftoverContainers: r.leftoverContainers,
    samplesMs: r.samples.map(round),
  };
});
const report = {
  benchmark: 'hot-reload',
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
  pollPauseMs: POLL_PAUSE_MS,
  dependenciesMb: depsMb,
  results: summary,
};

if (!values.json) {
  const pad = (text, width) => String(text ?? '—').padEnd(width);
  console.log(
    `\nHot reload benchmark: file write → first response from the new code, ${edits} edits per server, poll every ${POLL_PAUSE_MS} ms (one in flight), ${depsMb ? `${depsMb} MB of production dependencies, ` : ''}Node ${process.version}, ${report.date}\n`,
  );
  console.log(
    `${pad('server', 40)}${pad('median ms', 11)}${pad('p90 ms', 8)}${pad('min ms', 8)}${pad('max ms', 8)}${pad('× offline', 12)}${pad('target', 14)}failed requests`,
  );
  for (const s of summary) {
    const target = s.targetMs === undefined ? '—' : `≤ ${s.targetMs} ${s.targetMet ? 'met' : 'MISSED'}`;
    const extra = [
      s.timeouts ? `${s.timeouts} timeouts` : '',
      Object.keys(s.failedBy).length
        ? Object.entries(s.failedBy)
            .map(([k, v]) => `${k}×${v}`)
            .join(' ')
        : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `${pad(s.server, 40)}${pad(s.medianMs, 11)}${pad(s.p90Ms, 8)}${pad(s.minMs, 8)}${pad(s.maxMs, 8)}${pad(s.vsOffline === undefined ? '—' : `${s.vsOffline.toFixed(2)}x`, 12)}${pad(target, 14)}${s.failedRequests}${extra ? ` (${extra})` : ''}`,
    );
  }
  const faasports = summary.filter((s) => s.breakdownMedianMs);
  if (faasports.length) {
    console.log('\nWhere faasport spends it (medians):');
    for (const s of faasports) {
      const b = s.breakdownMedianMs;
      console.log(
        `${pad(s.server, 40)}new code serving ${b.reloadToNewCodeServing} ms after the reload starts (draft + trial instance + swap), publish digest at ${b.reloadToPublishDigest} ms; watch debounce + first new request ${b.watchAndFirstNewRequest} ms (cold init ${b.coldInit} ms)`,
      );
    }
  }
  const problems = summary.filter((s) => !s.stoppedCleanly || s.leftoverContainers || s.reloadProblems);
  for (const s of problems) {
    console.log(
      `note: ${s.server}: ${s.stoppedCleanly ? '' : 'did not stop cleanly on SIGINT (group killed); '}${s.leftoverContainers ? `${s.leftoverContainers} containers left; ` : ''}${s.reloadProblems ? `${s.reloadProblems} reload problems logged` : ''}`,
    );
  }
  console.log(
    '\nserverless-offline --reloadHandler starts a fresh worker for every request, so its figure is the write plus one cold request; faasport puts the edited files into a copy of the last version (a draft), tries it on a throw-away instance, swaps, and the next request cold-starts; the pack like publish follows and confirms the digest.',
  );
}
console.log(JSON.stringify(report));
if (failure) process.exitCode = 1;
