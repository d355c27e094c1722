import { jsonResponse } from '../../gateway/gateway-response';
import type { GatewayRouteDefinition } from '../../gateway/gateway-server';
import { firstHeader } from '../../gateway/http-request';
import { type AppTrigger, deliver, type FindTriggered, type TriggerDelivery } from './trigger-delivery';
import { blobPayload, matchBlobPath } from './trigger-payloads';

/** Azurite's well-known development account: what `UseDevelopmentStorage=true` points at. */
const DEV_ACCOUNT = 'devstoreaccount1';

/** Storage blob triggers: an upload through the injection endpoint runs every function whose path matches. */
export class AzureBlobs {
  constructor(private readonly triggered: FindTriggered) {}

  routes(): GatewayRouteDefinition[] {
    return [
      {
        method: 'POST',
        path: '/__faasport/azure/blobs/{container}/{name+}',
        description: 'Storage blob: upload (body = content) fires blob triggers',
        handle: async (request, params) => {
          const deliveries = await this.upload(
            params.container ?? '',
            params.name ?? '',
            request.body,
            firstHeader(request, 'content-type') ?? 'application/octet-stream',
          );
          return {
            response: jsonResponse(deliveries.length ? 200 : 404, {
              container: params.container,
              name: params.name,
              deliveries,
            }),
          };
        },
      },
    ];
  }

  async upload(
    container: string,
    name: string,
    content: Buffer,
    contentType: string,
  ): Promise<TriggerDelivery[]> {
    const deliveries: Promise<TriggerDelivery>[] = [];
    for (const target of this.triggered('blobtrigger', () => true)) {
      const params = matchBlobPath(String(target.trigger.path ?? ''), container, name);
      if (!params) continue;
      deliveries.push(this.deliver(target, container, name, content, contentType, params));
    }
    return Promise.all(deliveries);
  }

  /** `faasport emulate invoke --event blob`: a blob named to fit the function's path pattern. */
  sample(target: AppTrigger, data: Buffer): Promise<TriggerDelivery> {
    const path = String(target.trigger.path ?? 'samples/{name}');
    const [container = 'samples', ...rest] = path.split('/');
    const name = rest.join('/').replace(/\{[^}]+\}/g, 'sample') || 'sample.txt';
    const params = matchBlobPath(String(target.trigger.path ?? ''), container, name) ?? {};
    return this.deliver(target, container, name, data, 'text/plain', params);
  }

  private deliver(
    target: AppTrigger,
    container: string,
    name: string,
    content: Buffer,
    contentType: string,
    pathParams: Record<string, string>,
  ): Promise<TriggerDelivery> {
    const payload = blobPayload({ account: DEV_ACCOUNT, container, name, content, contentType, pathParams });
    return deliver(target, payload, `New blob detected(LogsAndContainerScan): ${container}/${name}`);
  }
}
