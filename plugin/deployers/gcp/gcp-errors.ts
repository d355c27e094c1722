import type { UserError } from '../../../common/errors';
import {
  deniedCall,
  type ErrorExplainer,
  errorMessage,
  missingCredentials,
  rejectedCredentials,
} from '../user-errors';
import { rpcCode } from './gcp-retry';

const HOW_TO_PROVIDE =
  'Set up Application Default Credentials: `gcloud auth application-default login`, or export GOOGLE_APPLICATION_CREDENTIALS=<a service account key file>';
const HOW_TO_FIX =
  'Sign in again with `gcloud auth application-default login`, or check GOOGLE_APPLICATION_CREDENTIALS';
/** google.rpc.Code UNAUTHENTICATED and PERMISSION_DENIED; storage answers with HTTP 401 and 403. */
const UNAUTHENTICATED = new Set([16, 401]);
const PERMISSION_DENIED = new Set([7, 403]);

/**
 * The Google Cloud clients' errors a user can act on, in faasport's words: Application Default
 * Credentials finding nothing, credentials Google rejects (an expired sign-in) or that may not
 * make the call, and a local cloud that has stopped.
 */
export function gcpErrorExplainer(): ErrorExplainer {
  return (error): UserError | undefined => {
    const message = errorMessage(error);
    if (/Could not load the default credentials/i.test(message)) {
      return missingCredentials('Google Cloud', HOW_TO_PROVIDE);
    }
    if (/Cannot fetch ID token in this environment/i.test(message)) {
      return rejectedCredentials(
        'Google Cloud',
        'user credentials cannot sign the ID token a function URL takes',
        'Invoke with a service account: export GOOGLE_APPLICATION_CREDENTIALS=<its key file>',
      );
    }
    if (/invalid_grant|invalid_rapt|reauth/i.test(message)) {
      return rejectedCredentials('Google Cloud', message, HOW_TO_FIX);
    }
    const code = rpcCode(error);
    if (code !== undefined && UNAUTHENTICATED.has(code))
      return rejectedCredentials('Google Cloud', message, HOW_TO_FIX);
    if (code !== undefined && PERMISSION_DENIED.has(code)) {
      return deniedCall(
        'Google Cloud',
        message,
        'Use an identity with a role that allows this on the project (e.g. Cloud Functions Developer), or ask its owner.',
      );
    }
    return undefined;
  };
}
