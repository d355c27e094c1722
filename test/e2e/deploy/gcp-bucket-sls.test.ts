import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import {
  createGcpService,
  type GcpServiceSpec,
  gcpServiceYml,
  writeGcpHandler,
} from '../../helpers/deploy/gcp-service';
import { countCalls } from '../../helpers/request-log';
import { services, uniqueRepository } from '../../helpers/services';
import { FRAMEWORKS, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls } from '../../helpers/sls/sls-process';

const BUCKET = 'fp-e2e-sources';
const scratch = useScratchDir();

/** The e2e service's serverless.yml with `provider.targets.gcp.bucket` set. */
function withBucket(spec: GcpServiceSpec, bucket: string): string {
  const yml = parse(gcpServiceYml(spec)) as { provider: { targets: { gcp: Record<string, unknown> } } };
  yml.provider.targets.gcp.bucket = bucket;
  return stringify(yml);
}

/** `Operation subject` of each Google Cloud write: the function id, or the bucket of an object. */
const gcpWrites = (requests: LoggedRequest[]) =>
  requests
    .filter((r) => r.provider === 'gcp' && r.write)
    .map((r) =>
      r.operation === 'InsertObject'
        ? `InsertObject ${r.path.split('/')[5]}`
        : r.operation === 'UploadSource'
          ? 'UploadSource'
          : `${r.operation} ${r.path.split('/').at(-1)}`,
    );

describe.each(FRAMEWORKS)(
  '%s: sls deploy stages sources in provider.targets.gcp.bucket',
  (_name, id, cli) => {
    let cloud: LocalCloud;
    let service: ReturnType<typeof createGcpService>;
    let spec: GcpServiceSpec;
    const sls = (args: string[]) => runSls(cli(), service.dir, args, scratch.dir);
    const fnId = (key: string) => `${spec.service}-dev-${key}`.toLowerCase();
    const writeYml = (bucket: string) =>
      writeFileSync(join(service.dir, 'serverless.yml'), withBucket(spec, bucket));
    const sourceOf = (key: string) =>
      cloud.gcpPlane.list().find((r) => r.function.name.endsWith(`/${fnId(key)}`))?.function.buildConfig
        ?.source?.storageSource;

    beforeAll(async () => {
      cloud = await startLocalCloud({ gcp: { behaviour: { operationMs: 100 } } });
      spec = {
        service: `fp-gcpb-${id}`,
        repositoryPrefix: `${services().registry.host}/${uniqueRepository(`gcpb-${id}`)}`,
        functions: ['alpha', 'beta'],
      };
      service = createGcpService(spec);
      writeYml(BUCKET);
      await publishForLocalCloud(service.dir, cloud, sls);
    });
    afterAll(async () => {
      await cloud?.stop();
      service?.remove();
    });

    test('create uploads each zip to the bucket; a redeploy makes zero writes; new code is one upload and one update', async () => {
      cloud.clearRequests();
      const created = await sls(['deploy', '--local-cloud', '.']);
      expect(created.code, created.output).toBe(0);
      const requests = cloud.requests();
      expect(countCalls(requests, 'GenerateUploadUrl') + countCalls(requests, 'UploadSource')).toBe(0);
      expect(gcpWrites(requests).sort()).toEqual([
        `CreateFunction functions`,
        `CreateFunction functions`,
        `InsertObject ${BUCKET}`,
        `InsertObject ${BUCKET}`,
      ]);
      for (const key of ['alpha', 'beta']) {
        expect(sourceOf(key)).toMatchObject({
          bucket: BUCKET,
          object: expect.stringMatching(/^faasport\/sha256-[a-f0-9]{64}\.zip$/),
          generation: expect.stringMatching(/^\d+$/),
        });
      }
      expect(created.output).toMatch(new RegExp(`uploading \\d+ bytes to gs://${BUCKET}/faasport/sha256-`));

      cloud.clearRequests();
      const again = await sls(['deploy', '--local-cloud', '.']);
      expect(again.code, again.output).toBe(0);
      expect(again.stdout).toContain('up to date');
      expect(gcpWrites(cloud.requests())).toEqual([]);
      expect(countCalls(cloud.requests(), 'GetObject')).toBe(0);

      const before = sourceOf('beta');
      writeGcpHandler(service.dir, 'beta', 2);
      expect((await sls(['publish', '-f', 'beta'])).code).toBe(0);
      cloud.clearRequests();
      const updated = await sls(['deploy', '--local-cloud', '.']);
      expect(updated.code, updated.output).toBe(0);
      expect(gcpWrites(cloud.requests())).toEqual([
        `InsertObject ${BUCKET}`,
        `UpdateFunction ${fnId('beta')}`,
      ]);
      expect(sourceOf('beta')?.object).not.toBe(before?.object);
    });

    test('a bucket the local cloud does not have is refused, naming the setting and what to do', async () => {
      cloud.gcpPlane.behaviour.missingBuckets = ['fp-e2e-missing'];
      writeYml('fp-e2e-missing');
      writeGcpHandler(service.dir, 'alpha', 3);
      expect((await sls(['publish', '-f', 'alpha'])).code).toBe(0);
      cloud.clearRequests();
      const refused = await sls(['deploy', '--local-cloud', '.']);
      expect(refused.code, refused.output).not.toBe(0);
      expect(refused.output).toContain(
        'provider.targets.gcp.bucket is fp-e2e-missing, and that bucket does not exist',
      );
      expect(refused.output).toContain(
        'create it, or remove provider.targets.gcp.bucket to upload sources through generateUploadUrl',
      );
      // The upload was attempted and refused (404); no function was touched.
      expect(gcpWrites(cloud.requests())).toEqual(['InsertObject fp-e2e-missing']);
      expect(cloud.requests().find((r) => r.operation === 'InsertObject')?.status).toBe(404);

      // Without the setting the same change goes through generateUploadUrl.
      service.write(spec);
      cloud.clearRequests();
      const fallback = await sls(['deploy', '--local-cloud', '.']);
      expect(fallback.code, fallback.output).toBe(0);
      expect(gcpWrites(cloud.requests())).toEqual([
        'GenerateUploadUrl functions:generateUploadUrl',
        'UploadSource',
        `UpdateFunction ${fnId('alpha')}`,
      ]);
    });
  },
);
