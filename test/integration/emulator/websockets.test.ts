import { request } from 'node:http';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';

/**
 * API Gateway websockets served by the emulator (process engine), driven by a real WebSocket
 * client (Node's) and the AWS SDK's ApiGatewayManagementApi client.
 */
const config = join(__dirname, '../../../fixtures/websockets/serverless.yml');

/** A client socket whose messages queue up until read. */
class Client {
  private readonly messages: string[] = [];
  private waiting: ((message: string) => void) | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const text = String(event.data);
      if (this.waiting) {
        this.waiting(text);
        this.waiting = undefined;
      } else this.messages.push(text);
    });
    this.closed = new Promise((resolve) => socket.addEventListener('close', (event) => resolve(event.code)));
  }

  static open(url: string): Promise<Client> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(new Client(socket)));
      socket.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)));
    });
  }

  next(): Promise<string> {
    const queued = this.messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async ask(value: unknown): Promise<Record<string, unknown>> {
    this.socket.send(JSON.stringify(value));
    return JSON.parse(await this.next()) as Record<string, unknown>;
  }
}

/** The status the handshake got: 101 when upgraded, else the refusal's. */
function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('API Gateway websockets', () => {
  let emulator: Emulator;
  let base: string;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    emulator = await startEmulator(config, { engine: 'process', logger, websocketPort: 0 });
    base = `${emulator.urls.websocket}/dev`;
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('the $connect authorizer: missing identity 401, Unauthorized 401, Deny 403', async () => {
    expect(await handshakeStatus(base)).toBe(401);
    expect(await handshakeStatus(`${base}?token=bad`)).toBe(401);
    expect(await handshakeStatus(`${base}?token=deny`)).toBe(403);
    expect(await handshakeStatus(`${base}?token=good`)).toBe(101);
    const endpoint = emulator.endpoints().find((row) => row.name === 'WebSocket');
    expect(endpoint?.url).toBe(`${base.replace('http', 'ws')}`);
  });

  test('routes by $request.body.action, answers two-way routes, and @connections works from the SDK', async () => {
    const client = await Client.open(`${base.replace('http', 'ws')}?token=good`);
    const who = await client.ask({ action: 'whoami' });
    expect(who).toMatchObject({
      routeKey: 'whoami',
      stage: 'dev',
      sourceIp: '127.0.0.1',
      authorizer: { principalId: 'user-7', tier: 'gold', quota: 3, beta: true },
    });
    const connectionId = String(who.connectionId);
    expect(connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);

    // A handler's own code: the management endpoint from its event's domainName and stage.
    const management = new ApiGatewayManagementApiClient({
      endpoint: `http://${who.domainName}/${who.stage}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'pushed' }));
      expect(await client.next()).toBe('pushed');
      const connection = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      expect(connection.ConnectedAt).toBeInstanceOf(Date);
      expect(connection.Identity?.SourceIp).toBe('127.0.0.1');

      // No route named "nothing": $default, which answers through @connections itself.
      client.socket.send('{"action":"nothing","n":1}');
      expect(await client.next()).toBe('echo:{"action":"nothing","n":1}');
      client.socket.send('not json');
      expect(await client.next()).toBe('echo:not json');

      expect(await client.ask({ action: 'boom' })).toMatchObject({
        message: 'Internal server error',
        connectionId,
      });

      await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      expect(await client.closed).toBe(1000);
      await expect(
        management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'late' })),
      ).rejects.toBeInstanceOf(GoneException);
    } finally {
      management.destroy();
    }
    await eventually(
      () => logger.lines.map((line) => line.text),
      (lines) => lines.some((text) => text.includes(`disconnected ${connectionId} DISCONNECT 1000`)),
    );
  });

  test('a client that closes runs $disconnect with its close code', async () => {
    const client = await Client.open(`${base.replace('http', 'ws')}?token=good`);
    const { connectionId } = await client.ask({ action: 'whoami' });
    client.socket.close(4001, 'bye');
    await eventually(
      () => logger.lines.map((line) => line.text),
      (lines) => lines.some((text) => text.includes(`disconnected ${connectionId} DISCONNECT 4001`)),
    );
  });

  // Last: it stops the emulator the file shares.
  test('stopping the emulator closes open connections as going away (1001)', async () => {
    const client = await Client.open(`${base.replace('http', 'ws')}?token=good`);
    await emulator.stop();
    expect(await client.closed).toBe(1001);
  });
});
