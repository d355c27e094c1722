import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../helpers/ports';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { bannerPrinted, startEmulating } from './emulate-process';

// websocket and alb events as serverless-offline projects write them: each framework validates
// them against faasport's schema (configValidationMode: error), then `sls emulate` serves them.
const SERVICE = `service: e2egateways
configValidationMode: error
plugins:
  - serverless-faasport
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  websocketsApiRouteSelectionExpression: $request.body.action
  apiGateway:
    binaryMediaTypes: [image/png]
  targets:
    aws: { region: us-east-1 }
functions:
  echo:
    handler: handler.echo
    events:
      - websocket:
          route: $default
          routeResponseSelectionExpression: $default
  web:
    handler: handler.web
    events:
      - alb:
          listenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/0123456789abcdef/fedcba9876543210
          priority: 1
          conditions:
            path: /hello
            method: GET
`;

const CODE = `exports.echo = async (event) => ({ statusCode: 200, body: 'got ' + event.body });
exports.web = async (event) => ({ statusCode: 200, statusDescription: '200 OK', body: 'alb ' + event.path });
`;

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s emulate', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  test('--websocket-port and --alb-port serve websocket and alb events; --no-watch and --no-console are passed on', async () => {
    const service = serviceDir(SERVICE);
    dirs.push(service);
    writeFileSync(join(service.dir, 'handler.js'), CODE);
    const [port, lambdaPort, websocketPort, albPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const emulating = startEmulating(
      cli(),
      service.dir,
      [
        'emulate',
        ...['--engine', 'process', '--port', String(port), '--lambda-port', String(lambdaPort)],
        ...['--websocket-port', String(websocketPort), '--alb-port', String(albPort)],
        ...['--no-watch', '--no-console'], // booleans the framework parses itself, passed on
      ],
      scratch.dir,
    );
    try {
      await bannerPrinted(emulating);
      expect(emulating.output()).toContain(`ws://127.0.0.1:${websocketPort}/dev`);
      expect(emulating.output()).toContain(`http://127.0.0.1:${albPort}/`);
      expect(emulating.output()).not.toContain('for changes (hot reload)');
      expect(emulating.output()).not.toContain('Console: http');

      const socket = new WebSocket(`ws://127.0.0.1:${websocketPort}/dev`);
      const answer = new Promise<string>((resolve, reject) => {
        socket.addEventListener('message', (event) => resolve(String(event.data)));
        socket.addEventListener('error', () => reject(new Error(emulating.output())));
      });
      await new Promise((resolve) => socket.addEventListener('open', resolve));
      socket.send('hi');
      expect(await answer).toBe('got hi');
      socket.close();

      const alb = await fetch(`http://127.0.0.1:${albPort}/hello`);
      expect(alb.status, emulating.output()).toBe(200);
      expect(await alb.text()).toBe('alb /hello');
    } finally {
      await emulating.stop();
    }
  });
});
