import type { UserError } from '../../../common/errors';
import {
  deniedCall,
  type ErrorExplainer,
  errorMessage,
  errorName,
  missingCredentials,
  notDeployed,
  rejectedCredentials,
} from '../user-errors';
import { isNotFound } from './aws-retry';

export interface AwsWhere {
  region: string;
  /** The local Lambda plane's endpoint, when `--local-cloud` is in use. */
  localEndpoint: string | undefined;
}

const HOW_TO_PROVIDE =
  'Give the AWS SDK credentials as the AWS CLI takes them: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE naming a profile in ~/.aws/credentials or ~/.aws/config (`aws configure`, `aws sso login`)';
const HOW_TO_FIX =
  'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or AWS_PROFILE (`aws sts get-caller-identity` shows who they are; an expired SSO session needs `aws sso login`)';
/** What AWS answers when it does not accept the signature or the key (Lambda, S3, STS). */
const REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AuthorizationError']);

/**
 * The AWS SDK's errors a user can act on, in faasport's words: the default credential chain
 * finding nothing, credentials AWS rejects or that may not make the call, a function `sls invoke`
 * names that is not deployed, and a local cloud that has stopped. Messages never carry a
 * credential (see sdkDetail).
 */
export function awsErrorExplainer(where: AwsWhere): ErrorExplainer {
  const local = where.localEndpoint !== undefined;
  return (error, call): UserError | undefined => {
    const name = errorName(error);
    const message = errorMessage(error);
    if (call.method === 'invoke' && call.unit && isNotFound(error)) {
      return notDeployed(
        call.unit,
        local ? "the local cloud's Lambda" : `AWS Lambda in ${where.region}`,
        call.unit.fn.name,
        local,
      );
    }
    if (name === 'CredentialsProviderError') {
      return missingCredentials(
        'AWS',
        HOW_TO_PROVIDE,
        /from any providers/.test(message) ? undefined : message,
      );
    }
    if (REJECTED.has(name)) return rejectedCredentials('AWS', `${name}: ${message}`, HOW_TO_FIX);
    if (DENIED.has(name)) {
      return deniedCall(
        'AWS',
        `${name}: ${message}`,
        'Use credentials whose IAM policy allows the Lambda action named above (and s3 for staged zips, iam:PassRole for the role).',
      );
    }
    return undefined;
  };
}
