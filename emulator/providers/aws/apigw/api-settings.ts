import { createHash } from 'node:crypto';
import type { ServiceModel } from '../../../../common/service/service-model';

/** `provider.apiGateway.binaryMediaTypes` (e.g. `image/png`, `*\/*`): none unless listed. */
export function binaryMediaTypesOf(model: ServiceModel): string[] {
  const apiGateway = model.provider?.apiGateway;
  if (typeof apiGateway !== 'object' || apiGateway === null) return [];
  const types = (apiGateway as Record<string, unknown>).binaryMediaTypes;
  return Array.isArray(types) ? types.filter((type): type is string => typeof type === 'string') : [];
}

/** A function URL's id: 32 lowercase characters, stable per deployed function name. */
export function functionUrlId(functionName: string): string {
  return createHash('sha256').update(functionName).digest('hex').slice(0, 32);
}

/**
 * Where REST routes are served: under `/<stage>` as API Gateway's default endpoint does, or at the
 * root with serverless-offline's `noPrependStageInUrl` (as a custom domain mapped to the stage).
 */
export function restBasePath(model: ServiceModel): string {
  return model.serverlessOffline?.noPrependStageInUrl === true ? '' : `/${model.stage}`;
}

/** A REST route's URL path: the resource under the base path (`/` alone is the base itself). */
export function restRoutePath(model: ServiceModel, resource: string): string {
  const base = restBasePath(model);
  return resource === '/' ? base || '/' : `${base}${resource}`;
}
