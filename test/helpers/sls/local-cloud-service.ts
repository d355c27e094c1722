import { expect } from 'vitest';
import { writeCloudFile } from '../../../local-cloud/cloud-file';
import type { LocalCloud } from '../../../local-cloud/local-cloud';
import type { SlsResult } from './sls-process';

/**
 * Points the service in `dir` at `cloud` (its `.faasport/cloud.json`, read by `--local-cloud .`)
 * and publishes every function with `sls publish`, which must succeed.
 */
export async function publishForLocalCloud(
  dir: string,
  cloud: LocalCloud,
  sls: (args: string[]) => Promise<SlsResult>,
): Promise<void> {
  await writeCloudFile(dir, cloud.endpoints);
  const published = await sls(['publish']);
  expect(published.code, published.output).toBe(0);
}
