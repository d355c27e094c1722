import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCloudFile } from '../../../local-cloud/cloud-file';
import { ENDPOINTS_PATH, REQUEST_LOG_PATH } from '../../../local-cloud/control-plane-server';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { serveCloud } from '../../../local-cloud/serve-cloud';
import { resolveLocalCloud } from '../../../plugin/local-cloud-option';
import { awsCredentials, bearerHeader } from '../../helpers/local-cloud-auth';
import { tempDir } from '../../helpers/temp-dir';

// What an attacker did: any local process, or a web page's cross-origin text/plain POST, created
// and invoked a function on the local Lambda plane; ARM and Cloud Functions took calls without
// auth; anyone wiped the request log. Each of those is now answered as the cloud answers it.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, headers exactly as given (Host included): what a script or a browser sends. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = options.ca ? new Agent({ ca: options.ca }) : undefined;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const CREATE = '/2015-03-31/functions';
const createBody = JSON.stringify({
  FunctionName: 'planted',
  Runtime: 'nodejs22.x',
  Role: 'arn:aws:iam::000000000000:role/x',
  Handler: 'index.handler',
  Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
});

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud();
});
afterAll(() => cloud?.stop());

const lambdaClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new LambdaClient({
    region: 'us-east-1',
    endpoint: cloud.endpoints.aws.lambda,
    credentials,
    maxAttempts: 1,
  });

describe('the local Lambda and S3 planes check SigV4 signatures with the key pair made at start', () => {
  test('the SDK signing with that key pair is served', async () => {
    const client = lambdaClient(awsCredentials(cloud.endpoints.auth));
    await expect(client.send(new ListFunctionsCommand({}))).resolves.toMatchObject({ Functions: [] });
    client.destroy();
  });

  test('raw HTTP without credentials gets 403 MissingAuthenticationTokenException, and nothing is created', async () => {
    const answer = await raw(`${cloud.endpoints.aws.lambda}${CREATE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: createBody,
    });
    expect(answer.status).toBe(403);
    expect(answer.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(cloud.lambda.list()).toEqual([]);
  });

  test('another key is UnrecognizedClientException, the right key with another secret InvalidSignatureException', async () => {
    const stranger = lambdaClient({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' });
    await expect(stranger.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    const forger = lambdaClient({
      accessKeyId: cloud.endpoints.auth.accessKeyId,
      secretAccessKey: 'guessed',
    });
    await expect(forger.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
    forger.destroy();
  });

  test('S3 without credentials: 403 AccessDenied, in S3 XML', async () => {
    const answer = await raw(`${cloud.endpoints.aws.s3}/some-bucket`, { method: 'PUT' });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('<Code>AccessDenied</Code>');
  });
});

describe('ARM and Cloud Functions take the bearer token made at start', () => {
  test('ARM: 401 AuthenticationFailed without it, InvalidAuthenticationToken with another', async () => {
    const azure = cloud.endpoints.azure;
    if (!azure) throw new Error('no Azure plane');
    const path = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites?api-version=2023-12-01';
    const without = await raw(`${azure.arm}${path}`, { ca: azure.caCert });
    expect(without.status).toBe(401);
    expect(JSON.parse(without.body)).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    const wrong = await raw(`${azure.arm}${path}`, {
      ca: azure.caCert,
      headers: { authorization: 'Bearer guessed' },
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const right = await raw(`${azure.arm}${path}`, {
      ca: azure.caCert,
      headers: bearerHeader(cloud.endpoints.auth),
    });
    expect(right.status).toBe(200);
  });

  test('Cloud Functions: 401 UNAUTHENTICATED without it', async () => {
    const functions = cloud.endpoints.gcp?.functions ?? '';
    const path = '/v2/projects/demo/locations/europe-west1/functions';
    const without = await raw(`${functions}${path}`);
    expect(without.status).toBe(401);
    expect(JSON.parse(without.body)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const right = await raw(`${functions}${path}`, { headers: bearerHeader(cloud.endpoints.auth) });
    expect(right.status).toBe(200);
  });
});

describe('requests a browser could be made to send are refused before anything else', () => {
  test('a cross-origin text/plain POST (a simple request: no preflight) is refused', async () => {
    const answer = await raw(`${cloud.endpoints.aws.lambda}${CREATE}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' },
      body: createBody,
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).message).toMatch(
      /Origin "https:\/\/attacker\.example" is not a page served from this machine/,
    );
  });

  test('a rebinding Host is refused, even with the right token', async () => {
    const port = new URL(cloud.endpoints.aws.lambda).port;
    const answer = await raw(`${cloud.endpoints.aws.lambda}${REQUEST_LOG_PATH}`, {
      headers: { host: `rebind.attacker.example:${port}`, ...bearerHeader(cloud.endpoints.auth) },
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).message).toMatch(
      /Host "rebind\.attacker\.example:\d+" is not this machine's loopback address/,
    );
  });
});

describe('the request log', () => {
  test('is read and wiped with the token only', async () => {
    const log = `${cloud.endpoints.aws.lambda}${REQUEST_LOG_PATH}`;
    expect((await raw(log)).status).toBe(401);
    expect((await raw(log, { method: 'DELETE' })).status).toBe(401);
    const kept = JSON.parse(
      (await raw(log, { headers: bearerHeader(cloud.endpoints.auth) })).body,
    ) as unknown[];
    expect(kept.length).toBeGreaterThan(0);
    expect((await raw(log, { method: 'DELETE', headers: bearerHeader(cloud.endpoints.auth) })).status).toBe(
      204,
    );
    expect(cloud.requests()).toEqual([]);
  });

  test('the published endpoints never carry the credentials', async () => {
    const published = await raw(`${cloud.endpoints.aws.lambda}${ENDPOINTS_PATH}`);
    expect(published.status).toBe(200);
    expect(JSON.parse(published.body)).not.toHaveProperty('auth');
    expect(published.body).not.toContain(cloud.endpoints.auth.secretAccessKey);
    expect(published.body).not.toContain(cloud.endpoints.auth.token);
  });
});

describe('.faasport/cloud.json', () => {
  test('holds a secret made at each start, readable by its owner only', async () => {
    const dir = await tempDir('faasport-cloud-file-');
    const first = await serveCloud(dir, { host: '127.0.0.1' });
    const file = join(dir, '.faasport', 'cloud.json');
    const firstAuth = (await readCloudFile(file)).auth;
    await first.cloud.stop();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await serveCloud(dir, { host: '127.0.0.1' });
    try {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secondAuth = (await readCloudFile(file)).auth;
      expect(secondAuth).toEqual(second.cloud.endpoints.auth);
      expect(secondAuth.secretAccessKey).not.toBe(firstAuth.secretAccessKey);
      expect(secondAuth.token).not.toBe(firstAuth.token);
    } finally {
      await second.cloud.stop();
    }
  });
});

describe('`--local-cloud <url>`', () => {
  test("takes the endpoints from the plane and the credentials from the service's own cloud file", async () => {
    const dir = await tempDir('faasport-cloud-url-');
    const served = await serveCloud(dir, { host: '127.0.0.1' });
    try {
      const resolved = await resolveLocalCloud(served.cloud.endpoints.aws.lambda, {}, dir);
      expect(resolved?.auth).toEqual(served.cloud.endpoints.auth);
      const elsewhere = await tempDir('faasport-cloud-url-other-');
      await expect(resolveLocalCloud(served.cloud.endpoints.aws.lambda, {}, elsewhere)).rejects.toThrow(
        /is not the local cloud whose credentials are in .*cloud\.json/,
      );
    } finally {
      await served.cloud.stop();
    }
  });
});

describe("a deployed function's own URL", () => {
  test('is served like the gateway: no plane credentials, any Origin (the function answers for itself)', async () => {
    const functions = cloud.endpoints.gcp?.functions ?? '';
    const answer = await raw(`${functions}/__faasport/cloud/gcp/run/demo/europe-west1/none`, {
      headers: { origin: 'https://app.example' },
    });
    // Not refused by the plane: the function is unknown here, so its URL answers 404.
    expect(answer.status).toBe(404);
  });
});
