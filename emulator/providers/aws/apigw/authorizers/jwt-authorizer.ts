import { gatewayErrors } from './gateway-errors';
import type { HttpApiAuthOutcome, JwtAuthorizerSettings } from './http-api-authorizers';
import { type IdentityInputs, identityValues } from './identity-source';
import type { JwksSource } from './jwks';
import { decodeJwt, eventClaims, type JwtExpectations, tokenScopes, verifyJwt } from './jwt-verify';

/** An HTTP API JWT authorizer: the token verified against the issuer's keys, then the route's scopes. */
export class JwtAuthorizer {
  constructor(
    private readonly settings: JwtAuthorizerSettings,
    private readonly keys: JwksSource,
    private readonly options: { verifySignature: boolean; onKeysUnavailable: (error: Error) => void },
  ) {}

  async authorize(inputs: IdentityInputs, scopes: string[]): Promise<HttpApiAuthOutcome> {
    const [raw] = identityValues(this.settings.identitySources, inputs);
    if (!raw) return { allowed: false, response: gatewayErrors.unauthorized() };
    const token = decodeJwt(raw.replace(/^Bearer\s+/i, ''));
    if (!token) return invalid('the token is not a JWT');
    let keys: Awaited<ReturnType<JwksSource['get']>> = [];
    if (this.options.verifySignature) {
      try {
        keys = await this.keys.get(token.header.kid);
      } catch (error) {
        this.options.onKeysUnavailable(error as Error);
        return invalid('the signing keys of the issuer could not be read');
      }
    }
    const expectations: JwtExpectations = {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      verifySignature: this.options.verifySignature,
    };
    const check = verifyJwt(token, keys, expectations);
    if (!check.valid) return invalid(check.reason);
    const granted = tokenScopes(check.claims);
    if (scopes.length && !scopes.some((scope) => granted.includes(scope))) {
      const response = gatewayErrors.forbidden();
      response.headers.push([
        'www-authenticate',
        `Bearer scope="${scopes.join(' ')}" error="insufficient_scope" error_description="the token does not have the required scopes"`,
      ]);
      return { allowed: false, response };
    }
    return {
      allowed: true,
      authorizer: { jwt: { claims: eventClaims(check.claims), scopes: granted.length ? granted : null } },
    };
  }
}

function invalid(reason: string): HttpApiAuthOutcome {
  const response = gatewayErrors.unauthorized();
  response.headers.push([
    'www-authenticate',
    `Bearer scope="" error="invalid_token" error_description="${reason}"`,
  ]);
  return { allowed: false, response };
}
