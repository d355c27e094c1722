import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Descriptor } from './descriptor';

const DIGEST_FORMS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export type DigestAlgorithm = 'sha256' | 'sha512';

/** Splits and validates `sha256:<64 hex>` (or sha512). Throws a UserError naming the bad part. */
export function parseDigest(digest: string): { algorithm: DigestAlgorithm; hex: string } {
  const colon = digest.indexOf(':');
  const algorithm = colon > 0 ? digest.slice(0, colon) : '';
  const hex = digest.slice(colon + 1);
  const form = DIGEST_FORMS[algorithm];
  if (!form) {
    throw new UserError(`unsupported digest "${digest}": the algorithm must be sha256 or sha512`);
  }
  if (!form.test(hex)) {
    throw new UserError(`malformed digest "${digest}": expected ${algorithm}: followed by lowercase hex`);
  }
  return { algorithm: algorithm as DigestAlgorithm, hex };
}

export function isDigest(value: string): boolean {
  try {
    parseDigest(value);
    return true;
  } catch {
    return false;
  }
}

export function digestOf(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Raised when received bytes do not hash to the digest that was asked for. */
export class DigestMismatchError extends UserError {
  constructor(
    readonly expected: string,
    readonly actual: string,
    where: string,
  ) {
    super(`digest mismatch for ${where}: expected ${expected}, received content with digest ${actual}`, {
      hint: 'The content was altered in transit or the store is corrupt; nothing was used. Retry, or check the registry/proxy.',
    });
  }
}

/** Raised when more (or fewer) bytes arrive than the descriptor's size. */
export class SizeMismatchError extends UserError {
  constructor(expected: number, actual: number, where: string) {
    super(
      `size mismatch for ${where}: the descriptor says ${expected} bytes, received ${actual}${actual > expected ? ' or more' : ''}`,
      {
        hint: 'Nothing was used. The content is not what its descriptor declares.',
      },
    );
  }
}

/**
 * A pass-through stream that hashes what flows through and fails the stream when the bytes
 * exceed the declared size or, at the end, do not match the digest or size. Consumers must treat
 * content as usable only after the stream ended without error.
 */
export function createVerifier(
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  where = descriptor.digest,
): Transform {
  const { algorithm } = parseDigest(descriptor.digest);
  const hash = createHash(algorithm);
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      received += chunk.length;
      if (received > descriptor.size) {
        callback(new SizeMismatchError(descriptor.size, received, where));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (received !== descriptor.size) {
        callback(new SizeMismatchError(descriptor.size, received, where));
        return;
      }
      const actual = `${algorithm}:${hash.digest('hex')}`;
      callback(
        actual === descriptor.digest ? null : new DigestMismatchError(descriptor.digest, actual, where),
      );
    },
  });
}
