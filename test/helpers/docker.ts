import type Docker from 'dockerode';
import { connectDocker } from '../setup/docker-client';
import { services } from './services';

/** A dockerode client for the engine the test rig uses. */
export function dockerClient(): Docker {
  return connectDocker(services().docker);
}

/** One JSON message of a build, push or pull stream of the Engine API. */
export interface EngineEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
}

/**
 * Reads a build / push stream to its end. The engine reports failures inside the stream with an
 * HTTP 200, so an `error` message rejects here.
 */
export function followEngineStream(docker: Docker, stream: NodeJS.ReadableStream): Promise<EngineEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: EngineEvent[]) => {
      if (error) return reject(error);
      const failure = events.find((event) => event.error !== undefined);
      if (failure)
        return reject(new Error(`Docker engine: ${failure.errorDetail?.message ?? failure.error}`));
      resolve(events);
    });
  });
}
