#!/usr/bin/env node
// Import directions between the top-level source folders (part of `npm run lint`):
//   - no folder imports a folder that forbids it (see RULES);
//   - no cycle between top-level folders.
// Every relative `import … from`, `export … from`, `import type` and `import('…')` counts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const FOLDERS = ['common', 'artifact', 'local-cloud', 'emulator', 'plugin', 'cli'];

/** `[from, to, why]`: `from/**` must not import `to/**`. */
const RULES = [
  ['plugin', 'cli', 'the plugin runs inside the framework; what it shares with the CLI lives elsewhere'],
  ['local-cloud', 'emulator', 'the local control planes own the invoker interfaces the emulator implements'],
  ['common', '*', 'common/ is the bottom layer'],
  ['artifact', 'cli', 'only the bin runs the CLI'],
  ['emulator', 'cli', 'only the bin runs the CLI'],
  ['local-cloud', 'cli', 'only the bin runs the CLI'],
  ['artifact', 'plugin', 'the plugin uses artefacts, not the other way round'],
  ['emulator', 'plugin', 'the emulator never imports the deployers'],
  ['local-cloud', 'plugin', 'the deployers talk to the local planes only through their APIs and cloud.json'],
  ['cli', 'plugin', 'the CLI and the plugin share what lives below them, not each other'],
];

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sourceFiles(path);
    } else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

function topFolder(path) {
  const first = relative(ROOT, path).split(sep)[0];
  return FOLDERS.includes(first) ? first : undefined;
}

/** folder → folder → first `file → specifier` seen (for the message). */
const edges = new Map(FOLDERS.map((folder) => [folder, new Map()]));
for (const folder of FOLDERS) {
  for (const file of sourceFiles(join(ROOT, folder))) {
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      const target = topFolder(resolve(dirname(file), specifier));
      if (!target || target === folder) continue;
      const seen = edges.get(folder);
      if (!seen.has(target)) seen.set(target, `${relative(ROOT, file)} → ${specifier}`);
    }
  }
}

const problems = [];
for (const [from, to, why] of RULES) {
  for (const [target, example] of edges.get(from)) {
    if (to === '*' || to === target) problems.push(`${from}/ imports ${target}/ (${example}): ${why}`);
  }
}

// Cycles: a folder that reaches itself.
function reaches(start, goal, path = [start], visited = new Set()) {
  for (const next of edges.get(start).keys()) {
    if (next === goal) return [...path, next];
    if (visited.has(next)) continue;
    visited.add(next);
    const found = reaches(next, goal, [...path, next], visited);
    if (found) return found;
  }
  return undefined;
}
const reported = new Set();
for (const folder of FOLDERS) {
  const cycle = reaches(folder, folder);
  if (!cycle) continue;
  const key = [...new Set(cycle)].sort().join(',');
  if (reported.has(key)) continue;
  reported.add(key);
  const links = cycle.slice(1).map((to, i) => `${cycle[i]}/ → ${to}/ (${edges.get(cycle[i]).get(to)})`);
  problems.push(`import cycle: ${links.join('; ')}`);
}

if (problems.length > 0) {
  process.stderr.write(
    `check-imports: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}\n`).join('')}`,
  );
  process.exit(1);
}
if (process.argv.includes('--graph')) {
  for (const [from, targets] of edges) process.stdout.write(`${from} → ${[...targets.keys()].join(', ')}\n`);
}
