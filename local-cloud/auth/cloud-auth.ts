import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What a client must show the local control planes, made anew at each start and kept in
 * `.faasport/cloud.json` (owner-only): an AWS key pair the Lambda and S3 planes check SigV4
 * signatures with, and a bearer token for Azure Resource Manager, Cloud Functions and the
 * request log. Nothing here is a real cloud credential.
 */
export interface CloudAuth {
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
}

export function generateCloudAuth(): CloudAuth {
  return {
    // AWS access key ids are 20 upper-case letters and digits; this one says where it is from.
    accessKeyId: `FSPT${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    token: randomBytes(32).toString('base64url'),
  };
}

/** Checks the `auth` part of a cloud file; undefined when it is not a valid one. */
export function parseCloudAuth(value: unknown): CloudAuth | undefined {
  const part = value as Partial<Record<keyof CloudAuth, unknown>> | null | undefined;
  if (!part) return undefined;
  const { accessKeyId, secretAccessKey, token } = part;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || typeof token !== 'string')
    return undefined;
  if (!accessKeyId || !secretAccessKey || !token) return undefined;
  return { accessKeyId, secretAccessKey, token };
}

/** Compares secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Why a bearer token is refused (`missing` or `invalid`), or undefined when it is the plane's. */
export function bearerProblem(
  authorization: string | undefined,
  auth: CloudAuth,
): 'missing' | 'invalid' | undefined {
  const token = bearerToken(authorization);
  if (token === undefined) return 'missing';
  return sameSecret(token, auth.token) ? undefined : 'invalid';
}

/** A signature for a URL the plane hands out (as a presigned URL): only the plane can make it. */
export function urlSignature(auth: CloudAuth, path: string): string {
  return createHmac('sha256', auth.secretAccessKey).update(path).digest('hex');
}
