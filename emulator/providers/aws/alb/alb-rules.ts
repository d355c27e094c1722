import { isIP } from 'node:net';
import { UserError } from '../../../../common/errors';
import type { FunctionModel } from '../../../../common/service/service-model';
import { firstHeader, type GatewayRequest } from '../../../gateway/http-request';

/**
 * Listener rules of `alb` events, matched as an Application Load Balancer does: by priority
 * (lowest first), every condition type of a rule must hold, and within a type any value may
 * match. Path patterns are case-sensitive; host, header and query patterns are not; `*` and `?`
 * are wildcards; `ip` takes CIDR blocks.
 */

export interface AlbRule {
  functionKey: string;
  listenerArn: string;
  priority: number;
  /** `multiValueHeaders: true` on the target group: multi-value event and response maps. */
  multiValue: boolean;
  targetGroupName: string;
  paths: RegExp[];
  methods: string[];
  hosts: RegExp[];
  header?: { name: string; values: RegExp[] };
  query: { key: RegExp; value: RegExp }[];
  ips: { address: string; prefix: number }[];
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/** A wildcard pattern (`*`, `?`) as a whole-string expression. */
function wildcard(pattern: string, caseSensitive: boolean): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseSensitive ? '' : 'i');
}

/** The rules of every function's `alb` events, ordered by priority; clashes fail with where. */
export function albRules(
  functions: FunctionModel[],
  options: { service: string; targetGroupPrefix: string; configFile: string },
): AlbRule[] {
  const rules: AlbRule[] = [];
  for (const fn of functions) {
    fn.events.forEach((event, index) => {
      if (!('alb' in event)) return;
      const where = `${options.configFile}: functions.${fn.key}.events[${index}].alb`;
      const spec = (event.alb ?? {}) as Record<string, unknown>;
      const conditions = (spec.conditions ?? {}) as Record<string, unknown>;
      const header = conditions.header as { name?: unknown; values?: unknown } | undefined;
      const query = (conditions.query ?? {}) as Record<string, unknown>;
      const rule: AlbRule = {
        functionKey: fn.key,
        listenerArn: String(spec.listenerArn ?? ''),
        priority: Number(spec.priority),
        multiValue: spec.multiValueHeaders === true,
        targetGroupName:
          typeof spec.targetGroupName === 'string'
            ? spec.targetGroupName
            : `${options.targetGroupPrefix}${options.service}-${fn.key}`.slice(0, 32),
        paths: list(conditions.path).map((path) => wildcard(path, true)),
        methods: list(conditions.method).map((method) => method.toUpperCase()),
        hosts: list(conditions.host).map((host) => wildcard(host, false)),
        ...(header && typeof header.name === 'string'
          ? { header: { name: header.name, values: list(header.values).map((v) => wildcard(v, false)) } }
          : {}),
        query: Object.entries(query).map(([key, value]) => ({
          key: wildcard(key, false),
          value: wildcard(String(value), false),
        })),
        ips: list(conditions.ip).map((block) => cidr(block, where)),
      };
      if (!Number.isInteger(rule.priority) || rule.priority < 1)
        throw new UserError(`${where}.priority must be a whole number from 1`, { exitCode: 2 });
      const clash = rules.find(
        (other) => other.listenerArn === rule.listenerArn && other.priority === rule.priority,
      );
      if (clash)
        throw new UserError(
          `${where}: priority ${rule.priority} is also used by functions.${clash.functionKey} on the same listener`,
          { hint: 'Give each rule of a listener its own priority.', exitCode: 2 },
        );
      if (
        !rule.paths.length &&
        !rule.methods.length &&
        !rule.hosts.length &&
        !rule.header &&
        !rule.query.length &&
        !rule.ips.length
      )
        throw new UserError(
          `${where}.conditions needs at least one condition (path, method, host, header, query or ip)`,
          {
            exitCode: 2,
          },
        );
      rules.push(rule);
    });
  }
  return rules.sort((a, b) => a.priority - b.priority);
}

function cidr(block: string, where: string): { address: string; prefix: number } {
  const [address = '', prefixText] = block.split('/');
  const family = isIP(address);
  const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
  if (family !== 4 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw new UserError(`${where}.conditions.ip: "${block}" is not an IPv4 CIDR block (e.g. 10.0.0.0/8)`, {
      exitCode: 2,
    });
  return { address, prefix };
}

function ipv4(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function inBlock(sourceIp: string, block: { address: string; prefix: number }): boolean {
  if (isIP(sourceIp) !== 4) return false;
  const size = 2 ** (32 - block.prefix);
  return Math.floor(ipv4(sourceIp) / size) === Math.floor(ipv4(block.address) / size);
}

/** Query pairs as the load balancer sees them: not URL-decoded. */
export function rawQueryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    return equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
  });
}

/** The first rule (by priority) whose conditions all hold, if any. */
export function matchRule(rules: AlbRule[], request: GatewayRequest): AlbRule | undefined {
  const host = (firstHeader(request, 'host') ?? '').replace(/:\d+$/, '');
  const query = rawQueryPairs(request.rawQuery);
  return rules.find((rule) => {
    if (rule.paths.length && !rule.paths.some((path) => path.test(request.path))) return false;
    if (rule.methods.length && !rule.methods.includes(request.method)) return false;
    if (rule.hosts.length && !rule.hosts.some((pattern) => pattern.test(host))) return false;
    if (rule.header) {
      const { name, values } = rule.header;
      const sent = request.headers
        .filter(([key]) => key.toLowerCase() === name.toLowerCase())
        .map(([, v]) => v);
      if (!sent.some((value) => values.some((pattern) => pattern.test(value)))) return false;
    }
    if (
      rule.query.length &&
      !rule.query.some(({ key, value }) => query.some(([k, v]) => key.test(k) && value.test(v)))
    )
      return false;
    if (rule.ips.length && !rule.ips.some((block) => inBlock(request.sourceIp, block))) return false;
    return true;
  });
}
