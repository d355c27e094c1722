#!/usr/bin/env node
// Artefact transfer benchmark: push and pull of a zip artefact of incompressible
// bytes on loopback, faasport's CLI side by side with `skopeo copy` of the same bytes —
// wall time → MiB/s and each process's peak RSS — then a re-publish of the unchanged source,
// which must upload 0 blob bytes.
//
//   npm run build && node bench/artifact/transfer.mjs [--sizes 100,1024] [--runs 3] [--seed faasport-bench]
//                                                     [--json results.json] [--keep]
//
// Sizes are MiB of payload. Needs the test rig (bash scripts/services.sh start) for the
// registry and skopeo. Not part of `npm test`. Every faasport figure is a separate
// `node bin/faasport.js …` process, so its RSS is the CLI's own.
import { execFile, spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '../..');
const MiB = 1024 * 1024;
const RSS_TARGET_MIB = 150;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1024' },
    seed: { type: 'string', default: 'faasport-bench' },
    json: { type: 'string' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs: "${values.runs}" is not a positive whole number`);
const sizes = values.sizes.split(',').map((text) => {
  const mib = Number(text.trim());
  if (!Number.isInteger(mib) || mib <= 0) fail(`--sizes: "${text}" is not a whole number of MiB`);
  return mib;
});

function fail(message, hint) {
  console.error(`bench: ${message}${hint ? `\n  → ${hint}` : ''}`);
  process.exit(2);
}

// ---- preconditions: the rig, skopeo, a build, a way to read peak RSS ------------------------

async function rig() {
  const stateDir = process.env.FAASPORT_SERVICES_DIR ?? '/tmp/faasport-services';
  let state;
  try {
    state = JSON.parse(await readFile(join(stateDir, 'services.json'), 'utf8'));
  } catch {
    fail(
      `the test rig is not up (no ${stateDir}/services.json)`,
      'run `bash scripts/services.sh start` first',
    );
  }
  const host = state.registry?.host;
  const skopeo = state.skopeo;
  if (!host || !skopeo)
    fail(`${stateDir}/services.json names no registry or skopeo`, 'run `bash scripts/services.sh start`');
  const status = await fetch(`http://${host}/v2/`).then(
    (response) => response.status,
    () => 0,
  );
  if (status !== 200)
    fail(`the rig's registry on ${host} does not answer`, 'run `bash scripts/services.sh start`');
  if (!existsSync(skopeo)) fail(`skopeo is not at ${skopeo}`, 'run `bash scripts/services.sh start`');
  return { host, skopeo };
}

if (!existsSync(join(root, 'dist/cli/main.js'))) fail('dist/ is missing', 'run `npm run build` first');
const { host, skopeo } = await rig();
// The CLI on Node ≥ 22 (bin/faasport.js would re-exec an older Node, adding a process).
const cliNode =
  Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : join(root, 'node_modules/node/bin/node');
if (!existsSync(cliNode))
  fail(
    `Node ${process.version} is too old for the CLI and node_modules/node is missing`,
    'run `npm install`',
  );
const gnuTime =
  existsSync('/usr/bin/time') && (await run('/usr/bin/time', ['-f', '%M', 'true'])).code === 0
    ? '/usr/bin/time'
    : undefined;

// ---- processes ---------------------------------------------------------------------------

function run(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 16 * MiB }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs one process and measures it: wall time, and peak RSS from GNU time (the kernel's
 * ru_maxrss at exit) or, without it, from polling VmHWM in /proc (a slight under-estimate).
 */
async function measure(command, args) {
  const timeFile = join(work, `time-${process.hrtime.bigint()}`);
  const [file, argv] = gnuTime ? [gnuTime, ['-f', '%M', '-o', timeFile, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let polledKiB = 0;
  const poll = gnuTime
    ? undefined
    : setInterval(async () => {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
        const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kib > polledKiB) polledKiB = kib;
      }, 5);
  const code = await new Promise((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr}`);
  const peakKiB = gnuTime ? Number((await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)) : polledKiB;
  await rm(timeFile, { force: true });
  return { seconds, rssMiB: peakKiB / 1024, stdout, stderr };
}

const faasport = (args) => measure(cliNode, [join(root, 'bin/faasport.js'), ...args]);
const skopeoCopy = (args) => measure(skopeo, ['copy', '--preserve-digests', ...args]);

// ---- data --------------------------------------------------------------------------------

/** `mib` MiB of AES-256-CTR keystream keyed by the seed: incompressible, the same every run. */
async function writePayload(path, mib, seed) {
  const key = createHash('sha256').update(`${seed}:${mib}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  const hash = createHash('sha256');
  async function* keystream() {
    for (let i = 0; i < mib; i++) {
      const block = cipher.update(zeros);
      hash.update(block);
      yield block;
    }
  }
  await pipeline(Readable.from(keystream()), createWriteStream(path));
  return hash.digest('hex');
}

async function sha256File(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Removes what a run put in a repository (manifest, then blobs), so no later skopeo run mounts it. */
async function deleteFromRegistry(repository, manifestDigest, blobDigests) {
  const base = `http://${host}/v2/${repository}`;
  for (const url of [
    `${base}/manifests/${manifestDigest}`,
    ...blobDigests.map((d) => `${base}/blobs/${d}`),
  ]) {
    await fetch(url, { method: 'DELETE' }).then(
      (response) => response.arrayBuffer(),
      () => undefined,
    );
  }
}

// ---- the benchmark -----------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'faasport-bench-transfer-'));
const cleanup = async () => {
  if (!values.keep) await rm(work, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const rows = [];
const checks = [];

/**
 * One table row: a tool doing one operation on one size, measured `runs` times (median time,
 * highest peak RSS). `vs` is the skopeo row it is compared with.
 */
function row(sizeMiB, operation, tool, bytes, { note = '', vs } = {}) {
  const entry = { sizeMiB, operation, tool, bytes, note, vs, samples: [] };
  rows.push(entry);
  return entry;
}

function summary(entry) {
  const seconds = entry.samples.map((s) => s.seconds).sort((a, b) => a - b);
  const median = seconds[Math.floor((seconds.length - 1) / 2)];
  return {
    seconds: median,
    secondsRange: [seconds[0], seconds.at(-1)],
    mibPerSecond: entry.bytes / MiB / median,
    rssMiB: Math.max(...entry.samples.map((s) => s.rssMiB)),
  };
}

function check(name, ok, detail) {
  checks.push({ name, ok, detail });
  if (!ok) console.error(`bench: check failed: ${name} (${detail})`);
}

try {
  for (const size of sizes) {
    const dir = join(work, `${size}`);
    const source = join(dir, 'function');
    await mkdir(source, { recursive: true });
    process.stderr.write(`bench: ${size} MiB — generating the payload…\n`);
    const payloadSha = await writePayload(join(source, 'payload.bin'), size, values.seed);

    // The artefact in a local OCI layout: what both tools push from.
    const layout = join(dir, 'layout');
    const packed = await faasport(['publish', source, '--to', `oci:${layout}:bench`, '--json']);
    const artefact = JSON.parse(packed.stdout);
    const layer = artefact.layer;
    const bytes = layer.size;
    row(size, 'pack', 'faasport publish → oci layout', bytes, {
      note: 'deflate + local write, no network',
    }).samples.push(packed);

    const skopeoPush = row(size, 'push', 'skopeo copy oci: → registry', bytes);
    const copyPush = row(size, 'push', 'faasport copy oci: → registry', bytes, { vs: skopeoPush });
    const publishPush = row(size, 'push', 'faasport publish <dir>', bytes, {
      note: 'includes packing',
      vs: skopeoPush,
    });
    const skopeoPull = row(size, 'pull', 'skopeo copy registry → oci:', bytes);
    const copyPull = row(size, 'pull', 'faasport copy registry → oci:', bytes, { vs: skopeoPull });
    const cliPull = row(size, 'pull', 'faasport pull --out <dir>', bytes, {
      note: 'includes safe unzip',
      vs: skopeoPull,
    });
    const republish = row(size, 're-publish', 'faasport publish <dir>', bytes);

    for (let run = 1; run <= runs; run++) {
      const repo = (name) => `bench-${runId}/${name}-${size}-${run}`;
      const ref = (name) => `${host}/${repo(name)}:v1`;
      const label = `${size} MiB run ${run}/${runs}`;

      process.stderr.write(`bench: ${label} — push…\n`);
      // --debug so we can see skopeo upload the layer: its blob-info cache would otherwise let
      // it mount a copy it pushed earlier, and time nothing
      const pushed = await measure(skopeo, [
        '--debug',
        'copy',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${layout}:bench`,
        `docker://${ref('skopeo')}`,
      ]);
      check(
        `${label}: skopeo uploaded the layer`,
        pushed.stderr.includes(`Upload of layer ${layer.digest} complete`),
        'skopeo mounted or reused the layer instead of uploading it',
      );
      skopeoPush.samples.push(pushed);

      const copied = await faasport(['copy', `oci:${layout}:bench`, ref('copy'), '--json']);
      const copyResult = JSON.parse(copied.stdout);
      check(
        `${label}: faasport copy uploaded the layer`,
        copyResult.transferredBytes >= bytes && copyResult.skipped === 0,
        JSON.stringify(copyResult),
      );
      copyPush.samples.push(copied);

      const published = await faasport(['publish', source, '--to', ref('publish'), '--json']);
      const publishResult = JSON.parse(published.stdout);
      check(
        `${label}: publish uploaded the whole layer, same digest as packed`,
        publishResult.uploadedBytes === bytes && publishResult.digest === artefact.digest,
        `uploadedBytes ${publishResult.uploadedBytes}, digest ${publishResult.digest}`,
      );
      publishPush.samples.push(published);

      process.stderr.write(`bench: ${label} — pull…\n`);
      const skopeoOut = join(dir, 'skopeo-pulled');
      skopeoPull.samples.push(
        await skopeoCopy(['--src-tls-verify=false', `docker://${ref('skopeo')}`, `oci:${skopeoOut}:v1`]),
      );
      await rm(skopeoOut, { recursive: true, force: true });

      const copyOut = join(dir, 'copy-pulled');
      copyPull.samples.push(await faasport(['copy', ref('copy'), `oci:${copyOut}:v1`, '--json']));
      check(
        `${label}: faasport copy pulled the layer`,
        existsSync(join(copyOut, 'blobs/sha256', layer.digest.slice('sha256:'.length))),
        layer.digest,
      );
      await rm(copyOut, { recursive: true, force: true });

      const pullOut = join(dir, 'pulled');
      cliPull.samples.push(await faasport(['pull', ref('publish'), '--out', pullOut, '--json']));
      check(
        `${label}: pull extracted the same payload`,
        (await sha256File(join(pullOut, 'payload.bin'))) === payloadSha,
        'payload sha256',
      );
      await rm(pullOut, { recursive: true, force: true });

      if (run === runs) {
        process.stderr.write(`bench: ${label} — re-publish unchanged…\n`);
        const again = await faasport(['publish', source, '--to', ref('publish'), '--json']);
        const uploaded = JSON.parse(again.stdout).uploadedBytes;
        check(`${size} MiB: re-publish uploaded 0 blob bytes`, uploaded === 0, `uploadedBytes ${uploaded}`);
        republish.note = `uploaded ${uploaded} bytes`;
        republish.samples.push(again);
      }
      for (const name of ['skopeo', 'copy', 'publish']) {
        await deleteFromRegistry(repo(name), artefact.digest, [layer.digest]);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await cleanup();
}

// ---- report ------------------------------------------------------------------------------

const cliVersion = (await run(cliNode, ['--version'])).stdout.trim();
const skopeoVersion = (await run(skopeo, ['--version'])).stdout.trim();
console.log(`faasport artefact transfer benchmark — ${new Date().toISOString()}`);
console.log(`CLI on Node ${cliVersion}; ${skopeoVersion}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
console.log(
  `registry: CNCF distribution on ${host} (loopback); sizes: ${sizes.map((s) => `${s} MiB`).join(', ')} of incompressible payload`,
);
console.log(
  `${runs} run(s), tools alternating: median time, highest peak RSS (${gnuTime ? 'GNU time, ru_maxrss' : 'VmHWM polled every 5 ms'}); MiB/s over the zip layer's bytes; time includes process start`,
);
console.log('');
const header = [
  'size',
  'operation',
  'tool',
  's',
  'MiB/s',
  'peak RSS MiB',
  'speed × skopeo',
  'RSS × skopeo',
  'note',
];
const table = rows.map((r) => {
  const m = summary(r);
  const vs = r.vs ? summary(r.vs) : undefined;
  return [
    `${r.sizeMiB} MiB`,
    r.operation,
    r.tool,
    m.seconds.toFixed(2),
    m.mibPerSecond.toFixed(0),
    m.rssMiB.toFixed(0),
    vs ? (m.mibPerSecond / vs.mibPerSecond).toFixed(2) : '',
    vs ? (m.rssMiB / vs.rssMiB).toFixed(1) : '',
    r.note,
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => cells[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const cells of table) console.log(line(cells));

console.log('');
const largest = Math.max(...sizes);
for (const r of rows.filter((r) => r.sizeMiB === largest && r.vs)) {
  const m = summary(r);
  const vs = summary(r.vs);
  console.log(
    `target ${largest} MiB ${r.operation}, ${r.tool}: peak RSS < ${RSS_TARGET_MIB} MiB ${m.rssMiB < RSS_TARGET_MIB ? 'met' : 'MISSED'}; ` +
      `throughput ≥ skopeo ${m.mibPerSecond >= vs.mibPerSecond ? 'met' : 'MISSED'}`,
  );
}
for (const c of checks) console.log(`check: ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`);

if (values.json) {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    values.json,
    `${JSON.stringify({ date: new Date().toISOString(), node: cliVersion, skopeo: skopeoVersion, rows: rows.map(({ vs, samples, ...r }) => ({ ...r, ...summary({ ...r, samples }) })), checks }, null, 2)}\n`,
  );
}
process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
