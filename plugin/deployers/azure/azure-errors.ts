import type { UserError } from '../../../common/errors';
import {
  deniedCall,
  type ErrorExplainer,
  errorMessage,
  errorName,
  missingCredentials,
  rejectedCredentials,
} from '../user-errors';
import { statusOf } from './arm-retry';

const HOW_TO_PROVIDE =
  'Sign in for DefaultAzureCredential: `az login` (Azure CLI) or `azd auth login`, or export AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal';
const HOW_TO_FIX =
  'Sign in again (`az login`), or check AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET';
const CREDENTIAL_ERRORS = new Set([
  'AggregateAuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);

/** The errors a failed DefaultAzureCredential gathered, one per credential it tried. */
function chainErrors(error: unknown): unknown[] {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors : [error];
}

/**
 * The Azure SDK's errors a user can act on, in faasport's words: DefaultAzureCredential finding
 * no credential, a sign-in that failed, ARM refusing the token (401) or the call (403), and a
 * local cloud that has stopped.
 */
export function azureErrorExplainer(): ErrorExplainer {
  return (error): UserError | undefined => {
    const name = errorName(error);
    if (CREDENTIAL_ERRORS.has(name)) {
      const failed = chainErrors(error).filter((each) => errorName(each) !== 'CredentialUnavailableError');
      if (failed.length === 0) return missingCredentials('Azure', HOW_TO_PROVIDE);
      return rejectedCredentials('Azure', errorMessage(failed[0]), HOW_TO_FIX);
    }
    const status = statusOf(error);
    const code = (error as { code?: unknown } | null)?.code;
    const detail = `${typeof code === 'string' ? `${code}: ` : ''}${errorMessage(error)}`;
    if (status === 401) return rejectedCredentials('Azure', detail, HOW_TO_FIX);
    if (status === 403) {
      return deniedCall(
        'Azure',
        detail,
        'Use an identity with a role that allows the action named above on the resource group (e.g. Contributor), or ask its owner.',
      );
    }
    return undefined;
  };
}
