import type { SampleOutcome } from '../front-end';
import type { LambdaInvokeResult } from './lambda-function';
import { sqsBatchOutcome } from './sqs-batch';

/**
 * What an invocation returned, ready to print, and for an SQS batch what the queue would do with
 * it (which messages return to the queue), as Lambda's event source mapping decides.
 */
export function sampleOutcome(event: unknown, result: LambdaInvokeResult): SampleOutcome {
  const succeeded = !result.functionError;
  const output = prettyJson(result.payload);
  if (!isSqsEvent(event)) return { output, succeeded };
  const outcome = sqsBatchOutcome(event, result.payload, Boolean(result.functionError));
  return { output, succeeded, note: `SQS batch: ${describeOutcome(outcome)}` };
}

function isSqsEvent(event: unknown): event is { Records: { messageId: string; eventSource: string }[] } {
  const records = (event as { Records?: { eventSource?: string }[] } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r?.eventSource === 'aws:sqs');
}

function describeOutcome(outcome: ReturnType<typeof sqsBatchOutcome>): string {
  switch (outcome.kind) {
    case 'all-succeeded':
      return 'every message succeeded and would be deleted';
    case 'partial':
      return `${outcome.failedMessageIds.length} message(s) would return to the queue: ${outcome.failedMessageIds.join(', ')}`;
    case 'batch-failed':
      return `the whole batch would return to the queue (${outcome.reason})`;
  }
}

function prettyJson(payload: Buffer): string {
  try {
    return JSON.stringify(JSON.parse(payload.toString('utf8')), null, 2);
  } catch {
    return payload.toString('utf8');
  }
}
