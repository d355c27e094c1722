import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../../../../common/http/body';
import type { FunctionModel, ServiceModel } from '../../../../common/service/service-model';
import { factsHeaders, type InvocationFacts } from '../../../gateway/gateway-server';
import { toGatewayRequest } from '../../../gateway/http-request';
import type { FrontEndApi } from '../../front-end';
import { type AlbResponse, albBadGateway, albEvent, albResponse } from './alb-event';
import { albRules, matchRule } from './alb-rules';

/** A Lambda target's request may be at most 1 MB. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export type AlbInvoker = (
  functionKey: string,
  event: unknown,
) => Promise<{ payload: Buffer; functionError?: unknown; facts: InvocationFacts } | undefined>;

/**
 * The Application Load Balancer of a service, when some function has `alb` events: one port
 * for every listener, each request sent to the target of the first rule that matches.
 */
export function albApiFor(options: {
  model: ServiceModel;
  functions: FunctionModel[];
  region: string;
  accountId: string;
  invoke: AlbInvoker;
}): FrontEndApi | undefined {
  const alb = options.model.provider?.alb as { targetGroupPrefix?: unknown } | undefined;
  const rules = albRules(options.functions, {
    service: options.model.service,
    targetGroupPrefix: typeof alb?.targetGroupPrefix === 'string' ? alb.targetGroupPrefix : '',
    configFile: options.model.configFile,
  });
  if (rules.length === 0) return undefined;
  const arn = (name: string) =>
    `arn:aws:elasticloadbalancing:${options.region}:${options.accountId}:targetgroup/${name}/${'0'.repeat(16)}`;
  return {
    port: 'alb',
    handle: async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readRequestBody(req, MAX_REQUEST_BYTES);
      if (body === undefined)
        return write(res, {
          status: 413,
          statusText: 'Request Entity Too Large',
          headers: [],
          body: Buffer.alloc(0),
        });
      const request = toGatewayRequest(req, body);
      const rule = matchRule(rules, request);
      if (!rule)
        return write(res, {
          status: 404,
          headers: [['content-type', 'text/plain']],
          body: Buffer.from('Not Found'),
        });
      const result = await options.invoke(
        rule.functionKey,
        albEvent(request, { targetGroupArn: arn(rule.targetGroupName), multiValue: rule.multiValue }),
      );
      // Throttled: the load balancer has no target to send to.
      if (!result) return write(res, { ...albBadGateway(), status: 503, statusText: 'Service Unavailable' });
      const response = albResponse(result.payload, Boolean(result.functionError), rule.multiValue);
      response.headers.push(...factsHeaders(result.facts));
      write(res, response);
    },
    endpoint: {
      name: 'ALB',
      path: '/',
      description: `Application Load Balancer (${rules.map((rule) => `${rule.priority}: ${rule.functionKey}`).join(', ')})`,
    },
  };
}

function write(res: ServerResponse, response: AlbResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    const existing = headers[name];
    headers[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers['content-length'] = String(response.body.length);
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  res.end(response.body);
}
