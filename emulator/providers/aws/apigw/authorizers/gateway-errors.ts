import { type GatewayResponse, jsonResponse } from '../../../../gateway/gateway-response';

/**
 * The responses API Gateway itself sends when a request is refused before the integration, with
 * the bodies and `x-amzn-ErrorType` the cloud sends.
 */
export const gatewayErrors = {
  unauthorized: (): GatewayResponse =>
    jsonResponse(401, { message: 'Unauthorized' }, [['x-amzn-errortype', 'UnauthorizedException']]),
  /** REST: a Cognito user pool token past its `exp`. */
  tokenExpired: (): GatewayResponse =>
    jsonResponse(401, { message: 'The incoming token has expired' }, [
      ['x-amzn-errortype', 'UnauthorizedException'],
    ]),
  /** REST: a policy that denies explicitly. */
  explicitDeny: (): GatewayResponse =>
    jsonResponse(403, { Message: 'User is not authorized to access this resource with an explicit deny' }, [
      ['x-amzn-errortype', 'AccessDeniedException'],
    ]),
  /** REST: a policy with no Allow for the method. */
  implicitDeny: (): GatewayResponse =>
    jsonResponse(403, { Message: 'User is not authorized to access this resource' }, [
      ['x-amzn-errortype', 'AccessDeniedException'],
    ]),
  /** A missing or unknown API key; an HTTP API authorizer that says no. */
  forbidden: (): GatewayResponse =>
    jsonResponse(403, { message: 'Forbidden' }, [['x-amzn-errortype', 'ForbiddenException']]),
  /** REST: the authorizer failed or answered something that is no valid policy. */
  authorizerConfiguration: (): GatewayResponse =>
    jsonResponse(500, { message: null }, [['x-amzn-errortype', 'AuthorizerConfigurationException']]),
  /** HTTP API: the authorizer failed or answered something malformed. */
  httpApiInternal: (): GatewayResponse => jsonResponse(500, { message: 'Internal Server Error' }),
};
