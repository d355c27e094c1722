import { pipeline, type Readable, type Transform } from 'node:stream';
import type { Descriptor } from '../content/descriptor';
import { createVerifier } from '../content/digest';

/**
 * `source` piped through a digest/size verifier; an error on either side fails the returned
 * stream, so whoever reads it (an upload body, a caller of fetch) sees the failure.
 */
export function verifiedStream(
  source: Readable,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  where?: string,
): Transform {
  const verifier = createVerifier(descriptor, where);
  pipeline(source, verifier, () => {
    // errors are delivered through `verifier` itself (pipeline destroys it with the error)
  });
  return verifier;
}
