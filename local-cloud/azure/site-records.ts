import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployedSite } from './deployed-site';

/**
 * Write-through copy of the deployed sites on disk (`<stateDir>/azure/sites/<rg>~<name>/`), so a
 * restarted plane keeps them, with the package the app last started from.
 */
export class SiteRecords {
  constructor(readonly dir: string) {}

  folder(site: Pick<DeployedSite, 'resourceGroup' | 'name'>): string {
    return join(this.dir, `${site.resourceGroup.toLowerCase()}~${site.name.toLowerCase()}`);
  }

  async save(site: DeployedSite, packageZip?: Buffer): Promise<void> {
    const folder = this.folder(site);
    await mkdir(folder, { recursive: true });
    if (packageZip) await writeFile(join(folder, 'package.zip'), packageZip);
    await writeFile(join(folder, 'site.json'), `${JSON.stringify(site, null, 2)}\n`, { mode: 0o600 });
  }

  async remove(site: Pick<DeployedSite, 'resourceGroup' | 'name'>): Promise<void> {
    await rm(this.folder(site), { recursive: true, force: true });
  }

  async load(): Promise<DeployedSite[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const sites: DeployedSite[] = [];
    for (const name of names) {
      const text = await readFile(join(this.dir, name, 'site.json'), 'utf8').catch(() => undefined);
      if (text !== undefined) sites.push(JSON.parse(text) as DeployedSite);
    }
    return sites;
  }
}
