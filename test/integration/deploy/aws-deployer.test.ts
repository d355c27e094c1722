import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openStore } from '../../../artifact/open-store';
import { parseReference } from '../../../artifact/reference';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { deployService } from '../../helpers/deploy/deploy-in-process';
import { pushTestImage } from '../../helpers/deploy/push-image';
import { publishFiles, serviceFolder } from '../../helpers/deploy/service-folder';
import { awsCredentials } from '../../helpers/local-cloud-auth';
import { services, uniqueRepository } from '../../helpers/services';

const ROLE = 'arn:aws:iam::123456789012:role/faasport-it';

let cloud: LocalCloud;
beforeEach(async () => {
  cloud = await startLocalCloud({ aws: { pendingMs: 50, updateMs: 50 } });
});
afterEach(async () => {
  await cloud.stop();
});

/** A service folder with one handler and the serverless.yml given (functions written as YAML). */
const service = (yml: string) =>
  serviceFolder('faasport-deploy-it-', yml, { 'fn/index.js': 'exports.handler = async () => "ok";\n' });
const publish = (dir: string, reference: string) => publishFiles(dir, reference, ['!**', 'fn/**']);
/** Pushes a minimal single-layer container image (linux/amd64). */
const pushImage = (reference: string) => pushTestImage(reference, 1024);

function yml(functions: string, awsTarget = ''): string {
  return `service: it
provider:
  name: faasport
  targets:
    aws:
      region: us-east-1
      role: ${ROLE}
${awsTarget}
functions:
${functions}
`;
}

const deploy = (dir: string) => deployService(dir, cloud.endpoints);

const writes = () =>
  cloud
    .requests()
    .filter((r) => r.write)
    .map((r) => r.operation);

describe('AWS deployer against the local control plane', () => {
  test('zips above the inline limit are staged in S3 by digest: uploaded once, reused', async () => {
    const reference = `${services().registry.host}/${uniqueRepository('staging')}:v1`;
    const dir = await service(
      yml(
        `  first: { handler: fn/index.handler, sourceArtifact: "${reference}" }\n  second: { handler: fn/index.handler, sourceArtifact: "${reference}" }`,
        '      inlineZipMaxBytes: 0',
      ),
    );
    await publish(dir, reference);
    const { outcomes } = await deploy(dir);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const operations = writes();
    expect(operations.filter((op) => op === 'CreateBucket')).toHaveLength(1);
    expect(operations.filter((op) => op === 'PutObject')).toHaveLength(1);
    expect(operations.filter((op) => op === 'CreateFunction')).toHaveLength(2);
    const created = cloud.requests().find((r) => r.operation === 'CreateBucket');
    expect(created?.path).toMatch(/^\/faasport-deploy-123456789012-us-east-1\/?$/);
    const [a, b] = cloud.lambda.list();
    expect(a?.configuration.CodeSha256).toBe(b?.configuration.CodeSha256);

    cloud.clearRequests();
    const again = await deploy(dir);
    expect(again.plan.rows.map((row) => row.action)).toEqual(['no-op', 'no-op']);
    expect(writes()).toEqual([]);
  });

  test('a function with no sourceArtifact deploys from the local OCI layout faasport publish writes', async () => {
    const dir = await service(yml('  local: { handler: fn/index.handler }'));
    await publish(dir, 'oci:.faasport/store:local');
    const { outcomes } = await deploy(dir);
    expect(outcomes.map((outcome) => [outcome.step.row.action, outcome.ok])).toEqual([['create', true]]);
    expect(cloud.lambda.list()[0]?.tags['faasport:digest']).toMatch(/^sha256:/);
  });

  test('refusals come before any cloud call: an image outside ECR, a packageType contradicting the manifest', async () => {
    const image = `${services().registry.host}/${uniqueRepository('image')}:v1`;
    await pushImage(image);
    const zip = `${services().registry.host}/${uniqueRepository('zip')}:v1`;
    const imageDir = await service(yml(`  img: { sourceArtifact: "${image}" }`));
    await expect(deploy(imageDir)).rejects.toThrow(
      /functions\.img\.sourceArtifact is a container image .* only from ECR/,
    );
    const zipDir = await service(
      yml(`  z: { handler: fn/index.handler, packageType: image, sourceArtifact: "${zip}" }`),
    );
    await publish(zipDir, zip);
    await expect(deploy(zipDir)).rejects.toThrow(
      /functions\.z\.packageType is image, but .* is a zip artefact/,
    );
    expect(cloud.requests()).toEqual([]);
  });

  test('an image for GCP is refused before any call', async () => {
    const dir = await service(`service: it
provider:
  name: faasport
  targets: { aws: { region: us-east-1, role: "${ROLE}" }, gcp: { region: europe-west1, project: p } }
functions:
  img: { packageType: image, sourceArtifact: "127.0.0.1:1/never/contacted:v1", targets: [gcp] }
`);
    await expect(deploy(dir)).rejects.toThrow(/Google Cloud Functions gen2 takes only source/);
    expect(cloud.requests()).toEqual([]);
  });

  test('a function of the same name that this service does not own is refused before any write', async () => {
    const reference = `${services().registry.host}/${uniqueRepository('foreign')}:v1`;
    const dir = await service(yml(`  taken: { handler: fn/index.handler, sourceArtifact: "${reference}" }`));
    await publish(dir, reference);
    const lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: cloud.endpoints.aws.lambda,
      credentials: awsCredentials(cloud.endpoints.auth),
    });
    const store = openStore(parseReference(reference));
    const manifest = await store.resolve('v1');
    const zipLayer = (
      JSON.parse((await (await store.fetch(manifest)).toArray()).join('')) as {
        layers: { digest: string; size: number; mediaType: string }[];
      }
    ).layers[0]!;
    const bytes = Buffer.concat(await (await store.fetch(zipLayer)).toArray());
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'it-dev-taken',
        Role: ROLE,
        Runtime: 'nodejs22.x',
        Handler: 'x.y',
        Code: { ZipFile: bytes },
      }),
    );
    lambda.destroy();
    cloud.clearRequests();
    await expect(deploy(dir)).rejects.toThrow(
      /it-dev-taken on aws: it exists but is not managed by this service and stage/,
    );
    expect(writes()).toEqual([]);
  });
});
