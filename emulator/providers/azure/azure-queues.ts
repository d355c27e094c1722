import { jsonResponse } from '../../gateway/gateway-response';
import type { GatewayRouteDefinition } from '../../gateway/gateway-server';
import type { EmulatorLogger } from '../../logger';
import { stamped } from './azure-app';
import { type AppTrigger, deliver, type FindTriggered, type TriggerDelivery } from './trigger-delivery';
import { newQueueMessage, type QueueMessage, queuePayload } from './trigger-payloads';

/** Storage queues move a message to `<queue>-poison` after this many failed attempts (maxDequeueCount). */
const MAX_DEQUEUE_COUNT = 5;

/**
 * Storage queue triggers: a message added through the injection endpoint runs every function
 * listening on the queue, retried up to maxDequeueCount times, then moved to `<queue>-poison`.
 */
export class AzureQueues {
  constructor(
    private readonly triggered: FindTriggered,
    private readonly logger: EmulatorLogger,
  ) {}

  routes(): GatewayRouteDefinition[] {
    return [
      {
        method: 'POST',
        path: '/__faasport/azure/queues/{queue}/messages',
        description: 'Storage queue: add a message (body = message text)',
        handle: async (request, params) => {
          const deliveries = await this.enqueue(params.queue ?? '', request.body.toString('utf8'));
          return {
            response: jsonResponse(deliveries.length ? 200 : 404, { queue: params.queue, deliveries }),
          };
        },
      },
    ];
  }

  /** A message on a queue: each function triggered by it runs, retried up to 5 times, then poison. */
  async enqueue(queue: string, text: string): Promise<TriggerDelivery[]> {
    const targets = this.triggered(
      'queuetrigger',
      (b) => String(b.queueName ?? '').toLowerCase() === queue.toLowerCase(),
    );
    return Promise.all(targets.map((target) => this.deliver(target, queue, newQueueMessage(text))));
  }

  /** `faasport emulate invoke --event queue`: one message on the function's own queue. */
  sample(target: AppTrigger, data: Buffer): Promise<TriggerDelivery> {
    return this.deliver(target, String(target.trigger.queueName), newQueueMessage(data.toString('utf8')));
  }

  private async deliver(target: AppTrigger, queue: string, message: QueueMessage): Promise<TriggerDelivery> {
    let last: TriggerDelivery | undefined;
    while (message.dequeueCount < MAX_DEQUEUE_COUNT) {
      message.dequeueCount += 1;
      last = await deliver(target, queuePayload(message), `New queue message detected on '${queue}'.`);
      if (last.outcome === 'succeeded') return { ...last, attempts: message.dequeueCount };
    }
    const poison = `${queue}-poison`;
    this.logger.line(
      target.app.name,
      stamped(
        `Message has reached MaxDequeueCount of ${MAX_DEQUEUE_COUNT}. Moving message to queue '${poison}'.`,
      ),
      'stderr',
    );
    // Functions listening on the poison queue see the message, as they would in Azure.
    this.enqueue(poison, message.text).catch((error: unknown) =>
      this.logger.line(target.app.name, stamped(`poison queue '${poison}': ${String(error)}`), 'stderr'),
    );
    return { ...(last as TriggerDelivery), attempts: message.dequeueCount };
  }
}
