import { UserError } from '../../../../../common/errors';
import { gatewayErrors } from './gateway-errors';
import {
  type IdentityInputs,
  type IdentitySource,
  identityValues,
  parseIdentitySources,
} from './identity-source';
import type { JwksSource } from './jwks';
import { decodeJwt, tokenScopes, verifyJwt } from './jwt-verify';
import type { AuthorizerOutcome } from './rest-authorizer';

/** `http.authorizer` naming a Cognito user pool (REST). */
export interface CognitoAuthorizerSettings {
  /** The authorizer's name (or the pool id): the key of `custom.faasport.jwt.jwks` and of messages. */
  name: string;
  /**
   * `https://cognito-idp.<region>.amazonaws.com/<poolId>` from the pool's ARN; undefined when the
   * pool is known only once deployed (`Fn::GetAtt`, a stage variable, `authorizerId`): then a token
   * of any Cognito pool is judged by the keys configured for the authorizer alone.
   */
  issuer: string | undefined;
  identitySources: IdentitySource[];
  /** `scopes` (the method's authorization scopes): set, the token must be an access token with one. */
  scopes: string[];
}

const POOL_ARN = /^arn:(aws[a-z-]*):cognito-idp:([a-z]{2}(?:-[a-z]+)+-\d):[^:]*:userpool\/([\w-]+)$/;
/** A Cognito issuer: the pool id starts with its region (`us-east-1_AbC123`). */
const COGNITO_ISSUER =
  /^https:\/\/cognito-idp\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/\1_[A-Za-z0-9]+$/;

/** Whether an `http.authorizer` is a Cognito user pool authorizer, as the Serverless Framework reads it. */
export function isCognitoAuthorizer(spec: Record<string, unknown>): boolean {
  const type = typeof spec.type === 'string' ? spec.type.toUpperCase() : undefined;
  return (
    type === 'COGNITO_USER_POOLS' || (typeof spec.arn === 'string' && spec.arn.includes(':cognito-idp:'))
  );
}

export function cognitoAuthorizerSettings(
  spec: Record<string, unknown>,
  where: string,
): CognitoAuthorizerSettings {
  let issuer: string | undefined;
  let poolId: string | undefined;
  // `userpool/${stageVariables.pool}` is resolved per stage, once deployed.
  if (typeof spec.arn === 'string' && !spec.arn.includes('${')) {
    const match = POOL_ARN.exec(spec.arn);
    if (!match)
      throw new UserError(`${where}.arn: "${spec.arn}" is not the ARN of a Cognito user pool`, {
        hint: 'Write arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>.',
        exitCode: 2,
      });
    const [, partition, region, pool] = match as unknown as [string, string, string, string];
    poolId = pool;
    issuer = `https://cognito-idp.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}/${pool}`;
  }
  const identitySources = parseIdentitySources(
    spec.identitySource ?? 'method.request.header.Authorization',
    'rest',
    `${where}.identitySource`,
  );
  if (identitySources.length !== 1 || identitySources[0]?.from !== 'header')
    throw new UserError(`${where}.identitySource: a Cognito authorizer reads the token from one header`, {
      exitCode: 2,
    });
  if (spec.scopes !== undefined && !Array.isArray(spec.scopes))
    throw new UserError(`${where}.scopes: a list of OAuth scopes is expected`, { exitCode: 2 });
  return {
    name: typeof spec.name === 'string' ? spec.name : (poolId ?? 'cognito'),
    issuer,
    identitySources,
    scopes: (spec.scopes ?? []).map(String),
  };
}

/**
 * A Cognito user pool authorizer as API Gateway runs it for REST APIs: the token of the identity
 * header verified against the pool's keys (`iss`, expiry, signature; no audience check — any app
 * client of the pool will do); without scopes it must be an ID token, with scopes an access token
 * granting one of them. The function sees the claims in `requestContext.authorizer.claims`, every
 * value a string.
 */
export class CognitoAuthorizer {
  constructor(
    private readonly settings: CognitoAuthorizerSettings,
    private readonly options: {
      verifySignature: boolean;
      /**
       * The pool's keys: `custom.faasport.jwt.jwks`, else the known pool's own. Undefined for a
       * pool known only once deployed without configured keys: its tokens are refused, since any
       * Cognito pool — one anybody can create — would sign tokens that verify against its own keys.
       */
      keys: JwksSource | undefined;
      onKeysUnavailable: (error: Error) => void;
    },
  ) {}

  async authorize(inputs: IdentityInputs): Promise<AuthorizerOutcome> {
    const refused = { allowed: false as const, response: gatewayErrors.unauthorized() };
    const [raw] = identityValues(this.settings.identitySources, inputs);
    if (!raw) return refused;
    const token = decodeJwt(raw.replace(/^Bearer\s+/i, ''));
    if (!token) return refused;
    const claimed = typeof token.claims.iss === 'string' ? token.claims.iss : '';
    const issuer = this.settings.issuer ?? (COGNITO_ISSUER.test(claimed) ? claimed : undefined);
    if (!issuer) return refused;
    let keys: Awaited<ReturnType<JwksSource['get']>> = [];
    if (this.options.verifySignature) {
      if (!this.options.keys) return refused;
      try {
        keys = await this.options.keys.get(token.header.kid);
      } catch (error) {
        this.options.onKeysUnavailable(error as Error);
        return refused;
      }
    }
    const check = verifyJwt(token, keys, {
      issuer,
      audience: undefined,
      verifySignature: this.options.verifySignature,
    });
    if (!check.valid)
      return check.expired ? { allowed: false, response: gatewayErrors.tokenExpired() } : refused;
    const { scopes } = this.settings;
    const use = check.claims.token_use;
    const granted = tokenScopes(check.claims);
    const fits = scopes.length
      ? use === 'access' && scopes.some((scope) => granted.includes(scope))
      : use === 'id';
    if (!fits) return refused;
    return {
      allowed: true,
      authorizer: { claims: cognitoClaims(check.claims) },
      principalId: '',
      usageIdentifierKey: undefined,
    };
  }
}

/**
 * Claims as API Gateway hands them to a REST function: strings; `exp` and `iat` as Java writes a
 * date (`Thu Dec 06 17:08:23 UTC 2018`); lists joined with commas (`cognito:groups`: `admin,ops`).
 */
export function cognitoClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [
      key,
      (key === 'exp' || key === 'iat') && typeof value === 'number'
        ? javaDate(value)
        : typeof value === 'string'
          ? value
          : Array.isArray(value)
            ? value.map(String).join(',')
            : typeof value === 'object' && value !== null
              ? JSON.stringify(value)
              : String(value),
    ]),
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `java.util.Date#toString` in UTC: `EEE MMM dd HH:mm:ss zzz yyyy`. */
function javaDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}
