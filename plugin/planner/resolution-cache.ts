import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedSource } from './resolved-source';

/**
 * What a manifest digest resolved to (shape, platform manifest, zip layer), on disk under the
 * service's `.faasport/cache/resolved/`. Keyed by digest and platform, so an entry can never be
 * stale: a steady-state deploy then costs one HEAD per artefact instead of HEAD + GET.
 */
export class ResolutionCache {
  constructor(private readonly dir: string) {}

  private file(digest: string, platform: string): string {
    return join(this.dir, `${digest.replace(':', '-')}_${platform.replaceAll('/', '-')}.json`);
  }

  async get(digest: string, platform: string): Promise<Omit<ResolvedSource, 'reference'> | undefined> {
    try {
      const parsed = JSON.parse(await readFile(this.file(digest, platform), 'utf8')) as Omit<
        ResolvedSource,
        'reference'
      >;
      return parsed.digest === digest ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async put(source: ResolvedSource, platform: string): Promise<void> {
    const { reference: _reference, ...entry } = source;
    const file = this.file(source.digest, platform);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(entry));
      await rename(`${file}.${process.pid}.tmp`, file);
    } catch {
      // A cache that cannot be written only costs a GET next time.
    }
  }
}
