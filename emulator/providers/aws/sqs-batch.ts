/**
 * What Lambda does with an SQS batch after the function returns, with ReportBatchItemFailures:
 * an empty or null result means every message succeeded; `batchItemFailures` names the ones to
 * retry; anything else (invalid JSON, an unknown id, a thrown error) fails the whole batch.
 */
export type SqsBatchOutcome =
  | { kind: 'all-succeeded' }
  | { kind: 'partial'; failedMessageIds: string[] }
  | { kind: 'batch-failed'; reason: string };

export function sqsBatchOutcome(
  event: { Records?: { messageId?: string }[] },
  payload: Buffer,
  functionFailed: boolean,
): SqsBatchOutcome {
  if (functionFailed) return { kind: 'batch-failed', reason: 'the function returned an error' };
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'batch-failed', reason: 'the response is not valid JSON' };
  }
  if (result === null || result === undefined) return { kind: 'all-succeeded' };
  if (typeof result !== 'object' || Array.isArray(result)) return { kind: 'all-succeeded' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) {
    return { kind: 'all-succeeded' };
  }
  if (!Array.isArray(failures)) return { kind: 'batch-failed', reason: 'batchItemFailures is not a list' };
  const known = new Set((event.Records ?? []).map((record) => record.messageId));
  const ids: string[] = [];
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return {
        kind: 'batch-failed',
        reason: `batchItemFailures names an unknown itemIdentifier ${JSON.stringify(id)}`,
      };
    }
    ids.push(id);
  }
  return { kind: 'partial', failedMessageIds: ids };
}
