import { ROLE, writeHandler } from './aws-service';
import {
  createSlsService,
  faasportServiceYml,
  type PublishedFunctions,
  publishedFunctions,
} from './sls-service';

export const AZURE_PLAN =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-e2e/providers/Microsoft.Web/serverfarms/premium-e2e';

export interface AzureServiceSpec extends PublishedFunctions {
  /** Functions deployed from an image reference (not published by `sls publish`). */
  images?: Record<string, string>;
  /** Also deploy every function to the local Lambda plane. */
  alsoAws?: boolean;
}

/** serverless.yml of a service whose functions deploy to Azure Functions (and AWS, if asked). */
export function azureServiceYml(spec: AzureServiceSpec): string {
  const targets = spec.alsoAws ? ['azure', 'aws'] : ['azure'];
  const functions = {
    ...publishedFunctions(spec, (name) => `fn/${name}.handler`, targets),
    ...Object.fromEntries(
      Object.entries(spec.images ?? {}).map(([name, reference]) => [
        name,
        { sourceArtifact: reference, packageType: 'image', targets: ['azure'] },
      ]),
    ),
  };
  return faasportServiceYml(
    spec.service,
    {
      targets: {
        azure: {
          location: 'westeurope',
          resourceGroup: 'rg-e2e',
          plan: { sku: 'premium', id: AZURE_PLAN },
        },
        ...(spec.alsoAws ? { aws: { region: 'us-east-1', role: ROLE } } : {}),
      },
    },
    functions,
  );
}

/** A service folder with the plugin linked and one handler file per zip function. */
export function createAzureService(spec: AzureServiceSpec) {
  return createSlsService(spec, azureServiceYml, spec.functions, writeHandler);
}
