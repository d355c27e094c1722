import { type SlsProcess, startSls } from '../../helpers/sls/sls-process';

/** `sls emulate …` (or `faasport emulate …`) running in the background, its output so far. */
export interface Emulating {
  sls: SlsProcess;
  output(): string;
  /** SIGINT, as Ctrl-C, then waits for the process to end. */
  stop(): Promise<void>;
}

export function startEmulating(
  cli: string,
  cwd: string,
  args: string[],
  scratch: string,
  env: NodeJS.ProcessEnv = {},
): Emulating {
  const sls = startSls(cli, cwd, args, scratch, env);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  sls.child.stdout?.on('data', collect);
  sls.child.stderr?.on('data', collect);
  return {
    sls,
    output: () => output,
    async stop() {
      sls.child.kill('SIGINT');
      await sls.result;
    },
  };
}

/** Resolves once the start-up banner is printed; rejects with the output if the process ends first. */
export async function bannerPrinted(emulating: Emulating): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (emulating.output().includes('Ctrl-C stops everything')) return resolve();
      if (emulating.sls.child.exitCode !== null)
        return reject(new Error(`emulate exited ${emulating.sls.child.exitCode}:\n${emulating.output()}`));
      setTimeout(check, 100);
    };
    check();
  });
}
