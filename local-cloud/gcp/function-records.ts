import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GcpFunctionResource } from './function-resource';

/** What the plane records of one function: the resource, and its source zip next to it. */
export interface GcpFunctionRecord {
  function: GcpFunctionResource;
  zip: Buffer | undefined;
}

/**
 * Write-through copy of the deployed functions on disk (`<dir>/<project>~<location>~<id>/`:
 * function.json and source.zip), so a restarted control plane keeps them.
 */
export class GcpFunctionRecords {
  constructor(readonly dir: string) {}

  private folder(name: string): string {
    // projects/p/locations/l/functions/f → p~l~f: one flat folder per function.
    const [, project, , location, , id] = name.split('/');
    return join(this.dir, `${project}~${location}~${id}`);
  }

  async save(record: GcpFunctionRecord): Promise<void> {
    const folder = this.folder(record.function.name);
    await mkdir(folder, { recursive: true });
    if (record.zip) await writeFile(join(folder, 'source.zip'), record.zip);
    await writeFile(join(folder, 'function.json'), `${JSON.stringify(record.function, null, 2)}\n`);
  }

  async remove(name: string): Promise<void> {
    await rm(this.folder(name), { recursive: true, force: true });
  }

  async load(): Promise<GcpFunctionRecord[]> {
    const folders = await readdir(this.dir).catch(() => [] as string[]);
    const loaded: GcpFunctionRecord[] = [];
    for (const folder of folders) {
      const text = await readFile(join(this.dir, folder, 'function.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const zip = await readFile(join(this.dir, folder, 'source.zip')).catch(() => undefined);
      loaded.push({ function: JSON.parse(text) as GcpFunctionResource, zip });
    }
    return loaded;
  }
}
