import type { GatewayResponse } from '../../gateway/gateway-response';
import type { GatewayRouteDefinition, InvocationFacts } from '../../gateway/gateway-server';
import type { GatewayRequest } from '../../gateway/http-request';
import type { EmulatorLogger } from '../../logger';
import { httpResponseOf, httpTriggerData } from './azure-http';
import { type AzureRoute, compileAzureRoute } from './azure-route';
import type { AppTrigger } from './trigger-delivery';

type HttpEntry = AppTrigger & { route: AzureRoute; methods: string[] };

/**
 * HTTP triggers under `/api/<route>` (the host's routePrefix), matched with Azure's own rules
 * (optional and catch-all parameters, constraints), most specific first; a route that two apps
 * claim is served by the first and reported. `authLevel` is not enforced, as with `func start`.
 */
export class AzureHttpRoutes {
  private entries: HttpEntry[] = [];

  constructor(private readonly logger: EmulatorLogger) {}

  add(target: AppTrigger): void {
    const { app, fn, trigger } = target;
    const route = `${app.host.routePrefix ? `${app.host.routePrefix}/` : ''}${trigger.route ?? fn.name}`;
    const entry: HttpEntry = {
      ...target,
      route: compileAzureRoute(route),
      methods: (trigger.methods?.length ? trigger.methods : ['GET', 'POST']).map((m) => m.toUpperCase()),
    };
    const clash = this.entries.find(
      (e) =>
        e.route.template.toLowerCase() === entry.route.template.toLowerCase() &&
        e.methods.some((m) => entry.methods.includes(m)),
    );
    if (clash) {
      this.logger.line(
        'faasport',
        `${app.name}: route /${entry.route.template} is already served by ${clash.app.name}/${clash.fn.name}; ${fn.name} is not routed`,
        'stderr',
      );
      return;
    }
    this.entries.push(entry);
    this.entries.sort((a, b) => b.route.specificity - a.route.specificity);
  }

  clear(): void {
    this.entries = [];
  }

  routes(): GatewayRouteDefinition[] {
    // Every HTTP request goes through Azure's own route matching; the per-function entries are
    // there for the endpoint table.
    const dispatch: GatewayRouteDefinition['handle'] = (request) => this.handle(request);
    return [
      ...this.entries.map((entry) => ({
        method: entry.methods.length === 1 ? (entry.methods[0] ?? 'ANY') : 'ANY',
        path: `/${entry.route.template}`,
        description: `${entry.app.name} → ${entry.fn.name} (Azure HTTP ${entry.methods.join(',')})`,
        functionName: entry.app.name,
        provider: 'azure',
        handle: dispatch,
      })),
      ...(this.entries.length
        ? [{ method: 'ANY', path: '/{path+}', description: 'Azure HTTP routes', handle: dispatch }]
        : []),
    ];
  }

  private async handle(
    request: GatewayRequest,
  ): Promise<{ response: GatewayResponse; facts?: InvocationFacts }> {
    for (const entry of this.entries) {
      const params = entry.route.match(request.path);
      if (!params || !entry.methods.includes(request.method)) continue;
      const result = await entry.app.invoke({
        functionName: entry.fn.name,
        inputData: [{ name: entry.trigger.name ?? 'request', data: httpTriggerData(request, params) }],
        triggerMetadata: {},
        reason: 'This function was programmatically called via the host APIs.',
        httpRequest: request,
      });
      if (result.kind === 'throttled')
        return { response: { status: 429, headers: [], body: Buffer.alloc(0) } };
      if (result.kind !== 'succeeded') {
        return {
          response: { status: 500, headers: [], body: Buffer.alloc(0) },
          ...(result.facts ? { facts: result.facts } : {}),
        };
      }
      if (result.response) return { response: result.response, facts: result.facts };
      const outName = Object.entries(entry.fn.bindings).find(
        ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
      )?.[0];
      const data =
        outName === '$return' ? result.returnValue : result.outputData.find((o) => o.name === outName)?.data;
      return { response: httpResponseOf(data?.http), facts: result.facts };
    }
    return { response: { status: 404, headers: [], body: Buffer.alloc(0) } };
  }
}
