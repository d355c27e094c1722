import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../../../artifact/content/digest';
import { packFunction } from '../../../../artifact/pack/pack-function';
import { isUserError } from '../../../../common/errors';

// An editor saving while the emulator repacks: the packer must either produce a complete,
// self-consistent zip or fail with a clear error, never an unhandled 'error' event (which used to
// kill the emulator with "file data stream has unexpected number of bytes").
const scratch: string[] = [];
afterEach(async () => {
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-pack-edit-'));
  scratch.push(dir);
  return dir;
}

/** Rewrites `file` with alternating sizes as fast as the disk allows, until stopped. */
function keepRewriting(file: string): { stop(): Promise<number> } {
  let running = true;
  let writes = 0;
  const loop = (async () => {
    while (running) {
      const size = writes % 2 === 0 ? 64 * 1024 : 3 * 1024 + (writes % 7);
      await writeFile(file, Buffer.alloc(size, 97 + (writes % 26)));
      writes++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return writes;
    },
  };
}

describe('packing while files change', () => {
  it('never throws an unhandled error; each attempt is a complete zip or a clear error', async () => {
    const source = await tempDir();
    const out = join(await tempDir(), 'fn.zip');
    await writeFile(join(source, 'handler.js'), 'exports.handler = async () => 1;\n');
    for (let i = 0; i < 20; i++) await writeFile(join(source, `data-${i}.txt`), Buffer.alloc(32 * 1024, 120));
    const busy = join(source, 'busy.js');
    await writeFile(busy, 'x');

    const writer = keepRewriting(busy);
    let packed = 0;
    let refused = 0;
    try {
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          const result = await packFunction({ sourceDir: source, outFile: out });
          expect(digestOf(await readFile(out))).toBe(result.digest);
          packed++;
        } catch (error) {
          // Only the documented outcome: a user-facing error naming the file that kept changing.
          expect(isUserError(error), String(error)).toBe(true);
          expect((error as Error).message).toContain('busy.js');
          refused++;
        }
      }
    } finally {
      expect(await writer.stop()).toBeGreaterThan(40);
    }
    expect(packed + refused).toBe(40);

    // Once the edits stop, the next pack holds the file's final contents.
    await writeFile(busy, 'exports.done = true;\n');
    const settled = await packFunction({ sourceDir: source, outFile: out });
    expect(settled.files).toContain('busy.js');
  });

  it('a file deleted between listing and reading is packed as absent, not a crash', async () => {
    const source = await tempDir();
    const out = join(await tempDir(), 'fn.zip');
    await writeFile(join(source, 'handler.js'), 'exports.handler = async () => 1;\n');
    let deletions = 0;
    for (let attempt = 0; attempt < 30; attempt++) {
      const doomed = join(source, `gone-${attempt}.js`);
      await writeFile(doomed, Buffer.alloc(256 * 1024, 65));
      const removal = rm(doomed).then(() => deletions++);
      try {
        const result = await packFunction({ sourceDir: source, outFile: out });
        expect(digestOf(await readFile(out))).toBe(result.digest);
      } catch (error) {
        expect(isUserError(error), String(error)).toBe(true);
      }
      await removal;
    }
    expect(deletions).toBe(30);
  });
});
