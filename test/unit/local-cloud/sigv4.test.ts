import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, test } from 'vitest';
import { generateCloudAuth } from '../../../local-cloud/auth/cloud-auth';
import { type SignedRequest, sigV4Problem } from '../../../local-cloud/auth/sigv4';

const auth = generateCloudAuth();
function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** The SDK's hash constructor shape, over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

/** Signs as the AWS SDK does, and gives the request as the plane's server receives it. */
async function signed(
  path: string,
  body: string,
  service = 'lambda',
  signingDate = new Date(),
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
    region: 'us-east-1',
    service,
    sha256: Sha256,
    uriEscapePath: service !== 's3',
  });
  const [pathname = '/', search = ''] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: pathname,
      query,
      headers: { host: '127.0.0.1:4566', 'content-type': 'application/json' },
      body,
    },
    { signingDate },
  );
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', rawUrl: path, headers, body: Buffer.from(body) };
}

describe('SigV4 as the local Lambda and S3 planes check it', () => {
  test('a request the SDK signed passes, ARNs and queries included (paths encoded twice but for S3)', async () => {
    const arn =
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations';
    expect(sigV4Problem(await signed(arn, '{}'), auth, false)).toBeUndefined();
    const listed = '/2015-03-31/functions?Marker=a%2Fb&MaxItems=50';
    expect(sigV4Problem(await signed(listed, ''), auth, false)).toBeUndefined();
    expect(
      sigV4Problem(await signed('/bucket/faasport/sha256-ab.zip', 'zip', 's3'), auth, true),
    ).toBeUndefined();
  });

  test('a changed body, path or secret is a bad signature; an old one is expired; none is missing', async () => {
    const request = await signed('/2015-03-31/functions', '{"FunctionName":"a"}');
    expect(sigV4Problem({ ...request, body: Buffer.from('{"FunctionName":"b"}') }, auth, false)).toBe(
      'bad-signature',
    );
    expect(sigV4Problem({ ...request, rawUrl: '/2015-03-31/functions/x' }, auth, false)).toBe(
      'bad-signature',
    );
    expect(sigV4Problem(request, { ...auth, secretAccessKey: 'other' }, false)).toBe('bad-signature');
    expect(sigV4Problem(request, { ...auth, accessKeyId: 'OTHER' }, false)).toBe('unknown-key');
    const old = await signed('/2015-03-31/functions', '{}', 'lambda', new Date(Date.now() - 20 * 60_000));
    expect(sigV4Problem(old, auth, false)).toBe('expired');
    const { authorization: _dropped, ...unsigned } = request.headers;
    expect(sigV4Problem({ ...request, headers: unsigned }, auth, false)).toBe('missing');
    expect(sigV4Problem({ ...request, rawUrl: '/x?a=%E0%A4%A' }, auth, false)).toBe('bad-signature');
  });

  test('only S3 honours UNSIGNED-PAYLOAD: elsewhere the body is bound by its own hash', async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
      region: 'us-east-1',
      service: 'lambda',
      sha256: Sha256,
    });
    const request = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: '/2015-03-31/functions',
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: '{"FunctionName":"a"}',
    });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const arrived = {
      method: 'POST',
      rawUrl: '/2015-03-31/functions',
      headers,
      body: Buffer.from('{"FunctionName":"evil"}'),
    };
    expect(sigV4Problem(arrived, auth, false)).toBe('bad-signature');
    expect(sigV4Problem(arrived, auth, true)).toBeUndefined();
  });
});
