import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployedLambdaFunction } from './deployed-function';

/**
 * Write-through copy of the deployed functions on disk, so that a restarted control plane keeps
 * them and the emulator can run what was deployed (see DeployedLambdaFunction for the shape).
 */
export class FunctionRecords {
  constructor(readonly dir: string) {}

  async save(record: DeployedLambdaFunction, zip: Buffer | undefined): Promise<void> {
    const folder = join(this.dir, record.configuration.FunctionName);
    await mkdir(folder, { recursive: true });
    if (zip && record.codeFile) await writeFile(join(folder, record.codeFile), zip);
    await writeFile(join(folder, 'function.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { recursive: true, force: true });
  }

  async load(): Promise<Array<{ record: DeployedLambdaFunction; zip: Buffer | undefined }>> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const loaded: Array<{ record: DeployedLambdaFunction; zip: Buffer | undefined }> = [];
    for (const name of names) {
      const text = await readFile(join(this.dir, name, 'function.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const record = JSON.parse(text) as DeployedLambdaFunction;
      const zip = record.codeFile ? await readFile(join(this.dir, name, record.codeFile)) : undefined;
      loaded.push({ record, zip });
    }
    return loaded;
  }
}
