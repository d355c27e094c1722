import type { CloudAuth } from '../auth/cloud-auth';
import { type SigV4Problem, sigV4Problem } from '../auth/sigv4';
import { CloudError } from '../cloud-error';
import type { CloudRequest } from '../control-plane-server';

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/** Lambda's 403s for a call not signed with the plane's key pair. */
const LAMBDA: Record<SigV4Problem, CloudError> = {
  missing: new CloudError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  'unknown-key': new CloudError(
    403,
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  ),
  'bad-signature': new CloudError(403, 'InvalidSignatureException', SIGNATURE_MISMATCH),
  expired: new CloudError(
    403,
    'InvalidSignatureException',
    'Signature expired: the request was signed more than 15 minutes from now.',
  ),
};

/** S3's 403s for the same. */
const S3: Record<SigV4Problem, CloudError> = {
  missing: new CloudError(403, 'AccessDenied', 'Access Denied'),
  'unknown-key': new CloudError(
    403,
    'InvalidAccessKeyId',
    'The AWS Access Key Id you provided does not exist in our records.',
  ),
  'bad-signature': new CloudError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH),
  expired: new CloudError(
    403,
    'RequestTimeTooSkewed',
    'The difference between the request time and the current time is too large.',
  ),
};

export function authenticateLambda(request: CloudRequest, auth: CloudAuth): CloudError | undefined {
  const problem = sigV4Problem(request, auth, false);
  return problem ? LAMBDA[problem] : undefined;
}

export function authenticateS3(request: CloudRequest, auth: CloudAuth): CloudError | undefined {
  const problem = sigV4Problem(request, auth, true);
  return problem ? S3[problem] : undefined;
}
