import { createHash } from 'node:crypto';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  ListTagsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { awsCredentials, bearerHeader } from '../../helpers/local-cloud-auth';
import { zipFiles } from '../../helpers/zip';

/** A real zip (the control plane checks the magic bytes, as Lambda unzips). */
const zipOf = (text: string) => zipFiles({ 'index.js': text });

const role = 'arn:aws:iam::000000000000:role/fn';
const waiter = (client: LambdaClient) => ({ client, minDelay: 0.05, maxDelay: 0.2, maxWaitTime: 20 });

let cloud: LocalCloud;
let lambda: LambdaClient;
beforeEach(async () => {
  cloud = await startLocalCloud({ aws: { pendingMs: 150, updateMs: 150 } });
  lambda = new LambdaClient({
    region: 'us-east-1',
    endpoint: cloud.endpoints.aws.lambda,
    credentials: awsCredentials(cloud.endpoints.auth),
  });
});
afterEach(async () => {
  lambda.destroy();
  await cloud.stop();
});

async function create(name: string, code: Buffer) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: role,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Code: { ZipFile: code },
      Tags: { owner: 'test' },
    }),
  );
}

describe('local Lambda control plane with the official SDK', () => {
  test('create is Pending, then Active; GetFunction returns configuration, code location and tags', async () => {
    const code = await zipOf('exports.handler = async () => 1;');
    const created = await create('fn-a', code);
    expect(created.State).toBe('Pending');
    expect(created.CodeSha256).toBe(createHash('sha256').update(code).digest('base64'));
    await waitUntilFunctionActiveV2(waiter(lambda), { FunctionName: 'fn-a' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'fn-a' }));
    expect(got.Configuration?.State).toBe('Active');
    expect(got.Tags).toEqual({ owner: 'test' });
    const download = await fetch(got.Code?.Location ?? '');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(code);
  });

  test('a call on a Pending function and a second update while InProgress get 409', async () => {
    const code = await zipOf('a');
    await create('fn-b', code);
    await expect(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-b', ZipFile: code })),
    ).rejects.toThrow(/following state: Pending/);
    await waitUntilFunctionActiveV2(waiter(lambda), { FunctionName: 'fn-b' });
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-b', ZipFile: await zipOf('b') }),
    );
    expect(updated.LastUpdateStatus).toBe('InProgress');
    const second = lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-b', ZipFile: code }));
    await expect(second).rejects.toBeInstanceOf(ResourceConflictException);
    await waitUntilFunctionUpdatedV2(waiter(lambda), { FunctionName: 'fn-b' });
    const stale = lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-b', ZipFile: code, RevisionId: 'stale' }),
    );
    await expect(stale).rejects.toThrow(/Revision Id/);
  });

  test('tags by ARN (URL-encoded in the path), delete, then 404', async () => {
    const created = await create('fn-c', await zipOf('c'));
    await waitUntilFunctionActiveV2(waiter(lambda), { FunctionName: 'fn-c' });
    await lambda.send(
      new TagResourceCommand({ Resource: created.FunctionArn, Tags: { 'faasport:digest': 'sha256:00' } }),
    );
    const tags = await lambda.send(new ListTagsCommand({ Resource: created.FunctionArn }));
    expect(tags.Tags).toEqual({ owner: 'test', 'faasport:digest': 'sha256:00' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-c' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'fn-c' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  test('injected faults: role propagation 400, throttling 429 (the SDK retries it), foreign update 409', async () => {
    cloud.aws.rolePropagationFailures = 1;
    await expect(create('fn-d', await zipOf('d'))).rejects.toThrow(/cannot be assumed by Lambda/);
    cloud.aws.throttleEvery = 2;
    await create('fn-d', await zipOf('d'));
    const throttledCalls = cloud.requests().filter((r) => r.status === 429);
    expect(throttledCalls.length).toBeGreaterThan(0);
    cloud.aws.throttleEvery = 0;
    await waitUntilFunctionActiveV2(waiter(lambda), { FunctionName: 'fn-d' });
    cloud.aws.concurrentUpdates = 1;
    await expect(
      lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'fn-d', ZipFile: await zipOf('e') })),
    ).rejects.toThrow(/An update is in progress/);
  });

  test('the request log records operation and write per call, and is served over HTTP', async () => {
    await create('fn-e', await zipOf('e'));
    await lambda.send(new GetFunctionCommand({ FunctionName: 'fn-e' }));
    const served = (await (
      await fetch(`${cloud.endpoints.aws.lambda}/__faasport/cloud/requests`, {
        headers: bearerHeader(cloud.endpoints.auth),
      })
    ).json()) as Array<{
      operation: string;
      write: boolean;
      provider: string;
    }>;
    expect(served.map(({ provider, operation, write }) => ({ provider, operation, write }))).toEqual([
      { provider: 'aws', operation: 'CreateFunction', write: true },
      { provider: 'aws', operation: 'GetFunction', write: false },
    ]);
  });

  test('S3 subset: create bucket, put and head an object, as the SDK sends them', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: cloud.endpoints.aws.s3,
      credentials: awsCredentials(cloud.endpoints.auth),
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'stage-bucket' }));
      const body = await zipOf('s3');
      await s3.send(new PutObjectCommand({ Bucket: 'stage-bucket', Key: 'a/b.zip', Body: body }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'stage-bucket', Key: 'a/b.zip' }));
      expect(head.ContentLength).toBe(body.length);
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: 'stage-bucket', Key: 'missing' })),
      ).rejects.toThrow();
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'fn-s3',
          Role: role,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { S3Bucket: 'stage-bucket', S3Key: 'a/b.zip' },
        }),
      );
      expect(created.CodeSize).toBe(body.length);
    } finally {
      s3.destroy();
    }
  });
});
