import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';

export interface AwsClients {
  lambda: LambdaClient;
  s3: S3Client;
  /** Only to tell a role that is still propagating from one that does not exist (GetRole). */
  iam: IAMClient;
  /** Talking to the local control plane: shorter polling and backoff. */
  local: boolean;
  region: string;
}

/** Throttling is retried by the SDK's standard strategy; give it room before it gives up. */
const MAX_ATTEMPTS = 8;

/**
 * The official clients, unmodified: the default credential chain against AWS, or — for the local
 * control plane — its endpoint and the key pair in its cloud file (nothing else differs).
 */
export function awsClients(region: string, local: LocalCloudEndpoints | undefined): AwsClients {
  if (!local) {
    return {
      lambda: new LambdaClient({ region, maxAttempts: MAX_ATTEMPTS }),
      s3: new S3Client({ region, maxAttempts: MAX_ATTEMPTS }),
      iam: new IAMClient({ region, maxAttempts: MAX_ATTEMPTS }),
      local: false,
      region,
    };
  }
  // The planes check SigV4 signatures with the key pair made at their start.
  const credentials = { accessKeyId: local.auth.accessKeyId, secretAccessKey: local.auth.secretAccessKey };
  return {
    lambda: new LambdaClient({ region, endpoint: local.aws.lambda, credentials, maxAttempts: MAX_ATTEMPTS }),
    s3: new S3Client({
      region,
      endpoint: local.aws.s3,
      credentials,
      maxAttempts: MAX_ATTEMPTS,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    // the local Lambda plane answers IAM's GetRole on its own port, as LocalStack does
    iam: new IAMClient({ region, endpoint: local.aws.lambda, credentials, maxAttempts: MAX_ATTEMPTS }),
    local: true,
    region,
  };
}
