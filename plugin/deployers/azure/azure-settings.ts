import { UserError } from '../../../common/errors';
import {
  environmentFor,
  type ServiceModel,
  settingFor,
  settingWithPath,
} from '../../../common/service/service-model';
import type { AzureLocalEndpoints } from '../../../local-cloud/azure/azure-plane';
import type { DeployUnit } from '../../planner/deploy-units';
import type { ResolvedSource } from '../../planner/resolved-source';

/** Where function apps go: one subscription, resource group, region and App Service plan. */
export interface AzureTargetSettings {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** Resource id of the existing Premium or Dedicated plan the apps run on. */
  planId: string;
  /** Storage account for packages and AzureWebJobsStorage (real cloud; the local cloud uses Azurite's). */
  storageAccount: string | undefined;
  /** Blob container for the run-from-package zips. */
  container: string;
}

/** What serverless.yml asks of one function app, in Azure's terms. */
export interface AzureFunctionSettings {
  /** `node`, `python`, `custom`: FUNCTIONS_WORKER_RUNTIME. */
  worker: string;
  /** The language stack of a zip app on Linux (`Node|22`); empty for custom handlers. */
  linuxFxVersion: string;
  /** serverless.yml environment, merged provider → target → function → override. */
  environment: Record<string, string>;
  /** `AzureFunctionsJobHost__functionTimeout` (hh:mm:ss), when a timeout is written. */
  functionTimeout: string | undefined;
}

export const DEFAULT_CONTAINER = 'faasport-packages';
export const SUBSCRIPTION_ENV = 'AZURE_SUBSCRIPTION_ID';
const PLAN_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/serverfarms\/[^/]+$/i;
/** Names the Functions host reads itself; serverless.yml may not set them (faasport does). */
const RESERVED_SETTINGS = [
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'WEBSITE_RUN_FROM_PACKAGE',
  'AzureWebJobsStorage',
];

function bad(model: ServiceModel, path: string, message: string, hint?: string): UserError {
  return new UserError(`${model.configFile}: ${path} ${message}`, { ...(hint ? { hint } : {}), exitCode: 2 });
}

function targetString(model: ServiceModel, key: string): string | undefined {
  const value = model.targets.azure?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The target's settings, checked without any call. Flex Consumption is refused: it deploys from a
 * blob container through `functionAppConfig.deployment.storage` and the SCM `/api/publish`
 * endpoint, which is not ARM, and it must not use WEBSITE_RUN_FROM_PACKAGE.
 */
export function azureTargetSettings(
  model: ServiceModel,
  env: NodeJS.ProcessEnv,
  local: AzureLocalEndpoints | undefined,
): AzureTargetSettings {
  const plan = model.targets.azure?.plan as { sku?: unknown; id?: unknown } | undefined;
  if (plan?.sku === 'flex') {
    throw bad(
      model,
      'provider.targets.azure.plan.sku',
      'is flex: faasport does not deploy to Flex Consumption yet. Flex takes code only through a blob container named in functionAppConfig.deployment.storage plus the SCM /api/publish endpoint (not ARM), and it refuses WEBSITE_RUN_FROM_PACKAGE, which is how faasport ships a package',
      'Use a Premium (Elastic Premium) or Dedicated App Service plan: set plan.sku to premium or dedicated and plan.id to its resource id.',
    );
  }
  const planId = typeof plan?.id === 'string' ? plan.id : undefined;
  if (!planId) {
    throw bad(
      model,
      'provider.targets.azure.plan.id',
      'is not set: faasport deploys function apps onto an existing Premium or Dedicated App Service plan',
      'Set plan.id to /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/serverfarms/<plan>.',
    );
  }
  if (!PLAN_ID.test(planId)) {
    throw bad(
      model,
      'provider.targets.azure.plan.id',
      `is "${planId}", not an App Service plan resource id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/serverfarms/<plan>)`,
    );
  }
  const subscriptionId =
    targetString(model, 'subscriptionId') ?? env[SUBSCRIPTION_ENV] ?? local?.subscriptionId;
  if (!subscriptionId) {
    throw bad(
      model,
      'provider.targets.azure.subscriptionId',
      'is not set',
      `Set it, or export ${SUBSCRIPTION_ENV}.`,
    );
  }
  const resourceGroup = targetString(model, 'resourceGroup');
  if (!resourceGroup) {
    throw bad(
      model,
      'provider.targets.azure.resourceGroup',
      'is not set: the function apps need a resource group',
    );
  }
  const location = targetString(model, 'location');
  if (!location) {
    throw bad(
      model,
      'provider.targets.azure.location',
      'is not set (e.g. westeurope): the region of the apps',
    );
  }
  return {
    subscriptionId,
    resourceGroup,
    location,
    planId,
    storageAccount: targetString(model, 'storageAccount'),
    container: targetString(model, 'storageContainer') ?? DEFAULT_CONTAINER,
  };
}

/** `nodejs22.x` / `node22` / `node` → node 22; `python3.12` → python 3.12; `custom`. */
function stackOf(runtime: string, fallback: string): { worker: string; linuxFxVersion: string } | undefined {
  const node = /^node(?:js)?(\d+)?(?:\.x)?$/.exec(runtime);
  if (node) {
    const version = node[1] ?? /^nodejs(\d+)\.x$/.exec(fallback)?.[1];
    return version ? { worker: 'node', linuxFxVersion: `Node|${version}` } : undefined;
  }
  const python = /^python(3\.\d+)?$/.exec(runtime);
  if (python) {
    const version = python[1] ?? /^python(3\.\d+)$/.exec(fallback)?.[1];
    return version ? { worker: 'python', linuxFxVersion: `Python|${version}` } : undefined;
  }
  if (runtime === 'custom' || runtime === 'provided' || runtime.startsWith('provided.')) {
    return { worker: 'custom', linuxFxVersion: '' };
  }
  return undefined;
}

/** Settings of one function app; throws naming the serverless.yml path when Azure cannot take them. */
export function azureFunctionSettings(model: ServiceModel, unit: DeployUnit): AzureFunctionSettings {
  const { fn } = unit;
  const runtime = settingFor<string>(model, fn, 'azure', 'runtime', fn.runtime);
  const stack = stackOf(runtime, fn.runtime);
  if (!stack) {
    const found = settingWithPath(model, fn, 'azure', 'runtime');
    throw bad(
      model,
      found?.path ?? `functions.${fn.key}.runtime`,
      `is "${runtime}": faasport deploys Node.js (nodejs22.x, node22), Python (python3.12) and custom-handler (custom, provided.al2023) apps to Azure Functions`,
    );
  }
  const architecture = settingWithPath(model, fn, 'azure', 'architecture');
  if (architecture?.value === 'arm64') {
    throw bad(model, architecture.path, 'is arm64: Azure Functions on Linux runs x86_64 (amd64) only');
  }
  const environment = environmentFor(model, fn, 'azure');
  for (const name of Object.keys(environment)) {
    const reserved = RESERVED_SETTINGS.find((r) => r.toLowerCase() === name.toLowerCase());
    if (reserved || name.toUpperCase().startsWith('FAASPORT_')) {
      throw bad(
        model,
        `functions.${fn.key}.environment.${name}`,
        'is an app setting faasport manages on Azure Functions',
        'Remove it from the environment.',
      );
    }
  }
  const timeout = settingWithPath(model, fn, 'azure', 'timeout');
  return {
    worker: stack.worker,
    linuxFxVersion: stack.linuxFxVersion,
    environment,
    functionTimeout: typeof timeout?.value === 'number' ? hhmmss(timeout.value) : undefined,
  };
}

function hhmmss(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
}

/** Refusals once the artefact is known: an image must come from a registry Azure can pull from. */
export function checkAzureSource(model: ServiceModel, unit: DeployUnit, source: ResolvedSource): void {
  if (source.shape === 'image' && unit.reference.kind !== 'registry') {
    throw bad(
      model,
      unit.path,
      'is a container image in a local OCI layout: Azure Functions pulls images from a registry',
      'Push it to Azure Container Registry (faasport copy <ref> <name>.azurecr.io/<repo>:<tag>) and point sourceArtifact.azure at it.',
    );
  }
}
