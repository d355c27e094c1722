import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody, sendJson } from '../../../common/http/body';
import { ThrottledError } from '../../pool/instance-pool';
import type { AsyncInvoker } from './async-invocation';
import type { LambdaFunction, LambdaInvokeResult } from './lambda-function';

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
/** X-Amz-Log-Result carries the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?(.*))?$/;

export interface FunctionDirectory {
  /** By name, full ARN or partial ARN, as the Invoke API accepts. */
  find(nameOrArn: string): LambdaFunction | undefined;
}

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) as the AWS SDKs and
 * CLI call it: RequestResponse, Event and DryRun, Tail logs, throttling with the cloud's error
 * shapes (`x-amzn-ErrorType` + `{Type, message}`), so `@aws-sdk/client-lambda` works unchanged.
 */
export function createInvokeApiHandler(
  functions: FunctionDirectory,
  region: string,
  accountId: string,
  /** Runs Event invokes: retries, maximum event age and destinations, as Lambda's queue does. */
  asyncInvoker: AsyncInvoker,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const match = INVOKE_PATH.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      return awsError(
        res,
        404,
        'UnknownOperationException',
        `Unknown operation ${req.method} ${req.url}`,
        requestId,
      );
    }
    const name = decodeURIComponent(match[1] ?? '');
    const qualifier = new URLSearchParams(match[2] ?? '').get('Qualifier');
    const fn = functions.find(name);
    if (!fn || (qualifier && qualifier !== '$LATEST')) {
      const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      return awsError(
        res,
        404,
        'ResourceNotFoundException',
        `Function not found: ${arn}${qualifier ? `:${qualifier}` : ''}`,
        requestId,
      );
    }
    const invocationType = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    const limit = invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    const body = await readRequestBody(req, limit);
    if (body === undefined) {
      if (invocationType === 'Event') {
        const sent = header(req, 'content-length') ?? `more than ${limit}`;
        return awsError(
          res,
          413,
          'RequestEntityTooLargeException',
          `${sent} byte payload is too large for the Event invocation type (limit ${limit} bytes)`,
          requestId,
        );
      }
      return awsError(
        res,
        413,
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        requestId,
      );
    }
    const payload = body.length === 0 ? Buffer.from('{}') : body;
    if (!isJson(payload)) {
      return awsError(
        res,
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json: Unexpected character',
        requestId,
      );
    }
    const clientContext = decodeClientContext(header(req, 'x-amz-client-context'));

    switch (invocationType) {
      case 'DryRun':
        res.writeHead(204, { 'x-amzn-requestid': requestId });
        res.end();
        return;
      case 'Event':
        asyncInvoker.submit(fn, payload, { requestId, ...(clientContext ? { clientContext } : {}) });
        res.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': '0' });
        res.end();
        return;
      case 'RequestResponse':
        break;
      default:
        return awsError(
          res,
          400,
          'InvalidParameterValueException',
          `Unsupported invocation type ${invocationType}`,
          requestId,
        );
    }

    let result: LambdaInvokeResult;
    try {
      result = await fn.invoke(payload, clientContext ? { clientContext } : {});
    } catch (error) {
      if (error instanceof ThrottledError) {
        return sendJson(
          res,
          429,
          {
            Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
            Type: 'User',
            message: 'Rate Exceeded.',
          },
          { 'x-amzn-errortype': 'TooManyRequestsException', 'x-amzn-requestid': requestId },
        );
      }
      throw error;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(result.payload.length),
      'x-amzn-requestid': result.requestId,
      'x-amz-executed-version': '$LATEST',
      'x-faasport-cold': String(result.cold),
      'x-faasport-instance': result.instanceId,
    };
    if (result.initDurationMs !== undefined) headers['x-faasport-init-ms'] = result.initDurationMs.toFixed(1);
    if (result.functionError) headers['x-amz-function-error'] = 'Unhandled';
    if (header(req, 'x-amz-log-type') === 'Tail') headers['x-amz-log-result'] = logTail(result.logs);
    res.writeHead(200, headers);
    res.end(result.payload);
  };
}

function logTail(lines: string[]): string {
  const text = Buffer.from(`${lines.join('\n')}\n`);
  return text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)).toString('base64');
}

function decodeClientContext(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

function isJson(payload: Buffer): boolean {
  try {
    JSON.parse(payload.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function awsError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
): void {
  sendJson(
    res,
    status,
    { Type: 'User', message },
    { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId },
  );
}
