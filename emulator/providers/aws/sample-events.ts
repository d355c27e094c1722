import { createHash, randomUUID } from 'node:crypto';

/** Provider-shaped sample events for `faasport emulate invoke --event <kind>`, fresh ids each time. */
export const SAMPLE_EVENT_KINDS = ['s3', 'sqs', 'sns', 'schedule', 'apigw', 'apigw-v2'] as const;
export type SampleEventKind = (typeof SAMPLE_EVENT_KINDS)[number];

/** The kinds, as `faasport emulate invoke --help` lists them. */
export const AWS_SAMPLE_EVENTS = [
  { kind: 's3', description: 'S3 ObjectCreated:Put' },
  { kind: 'sqs', description: 'SQS batch of two messages' },
  { kind: 'sns', description: 'SNS notification' },
  { kind: 'schedule', description: 'EventBridge Scheduled Event' },
  { kind: 'apigw', description: 'API Gateway REST proxy request (payload 1.0)' },
  { kind: 'apigw-v2', description: 'HTTP API request (payload 2.0)' },
] as const satisfies readonly { kind: SampleEventKind; description: string }[];

export function isAwsSampleKind(kind: string): kind is SampleEventKind {
  return (SAMPLE_EVENT_KINDS as readonly string[]).includes(kind);
}

export interface SampleContext {
  region: string;
  accountId: string;
  functionName: string;
  now?: Date;
}

export function sampleEvent(kind: SampleEventKind, context: SampleContext): Record<string, unknown> {
  const now = context.now ?? new Date();
  const { region, accountId } = context;
  switch (kind) {
    case 's3':
      return {
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: region,
            eventTime: now.toISOString(),
            eventName: 'ObjectCreated:Put',
            userIdentity: { principalId: 'AWS:EXAMPLE' },
            requestParameters: { sourceIPAddress: '127.0.0.1' },
            responseElements: { 'x-amz-request-id': hex(16).toUpperCase(), 'x-amz-id-2': hex(32) },
            s3: {
              s3SchemaVersion: '1.0',
              configurationId: 'faasport-local',
              bucket: {
                name: 'faasport-local-bucket',
                ownerIdentity: { principalId: 'EXAMPLE' },
                arn: 'arn:aws:s3:::faasport-local-bucket',
              },
              object: {
                key: 'incoming/hello+world.txt',
                size: 11,
                eTag: md5('hello world'),
                sequencer: hex(9).toUpperCase(),
              },
            },
          },
        ],
      };
    case 'sqs': {
      const queueArn = `arn:aws:sqs:${region}:${accountId}:faasport-local-queue`;
      return {
        Records: ['first message', 'second message'].map((body) => ({
          messageId: randomUUID(),
          receiptHandle: Buffer.from(randomUUID()).toString('base64'),
          body,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(now.getTime()),
            SenderId: 'AIDAFAASPORTLOCAL',
            ApproximateFirstReceiveTimestamp: String(now.getTime()),
          },
          messageAttributes: {},
          md5OfBody: md5(body),
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: region,
        })),
      };
    }
    case 'sns': {
      const topicArn = `arn:aws:sns:${region}:${accountId}:faasport-local-topic`;
      return {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
            Sns: {
              Type: 'Notification',
              MessageId: randomUUID(),
              TopicArn: topicArn,
              Subject: 'faasport local',
              Message: 'Hello from SNS!',
              Timestamp: now.toISOString(),
              SignatureVersion: '1',
              Signature: 'EXAMPLE',
              SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-EXAMPLE.pem`,
              UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe`,
              MessageAttributes: { Test: { Type: 'String', Value: 'TestString' } },
            },
          },
        ],
      };
    }
    case 'schedule':
      return scheduledEvent(context, `${context.functionName}-schedule`, now);
    case 'apigw':
      return {
        resource: '/',
        path: '/',
        httpMethod: 'GET',
        headers: { Host: 'localhost' },
        multiValueHeaders: { Host: ['localhost'] },
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        requestContext: {
          accountId,
          apiId: 'faasportlocal',
          stage: 'dev',
          requestId: randomUUID(),
          resourcePath: '/',
          httpMethod: 'GET',
          path: '/dev/',
          requestTimeEpoch: now.getTime(),
          protocol: 'HTTP/1.1',
          identity: { sourceIp: '127.0.0.1', userAgent: 'faasport' },
        },
        body: null,
        isBase64Encoded: false,
      };
    case 'apigw-v2':
      return {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/',
        rawQueryString: '',
        headers: { host: 'localhost' },
        requestContext: {
          accountId,
          apiId: 'faasportlocal',
          domainName: 'localhost',
          domainPrefix: 'localhost',
          http: {
            method: 'GET',
            path: '/',
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'faasport',
          },
          requestId: randomUUID(),
          routeKey: '$default',
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
        isBase64Encoded: false,
      };
  }
}

/** EventBridge's scheduled event, as a `schedule` trigger delivers it. */
export function scheduledEvent(
  context: SampleContext,
  ruleName: string,
  now = new Date(),
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: context.accountId,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: context.region,
    resources: [`arn:aws:events:${context.region}:${context.accountId}:rule/${ruleName}`],
    detail: {},
  };
}

function hex(bytes: number): string {
  return createHash('sha256')
    .update(randomUUID())
    .digest('hex')
    .slice(0, bytes * 2);
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
