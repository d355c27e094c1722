/** `faasport emulate --help`; the flags are parsed by `parseEmulateArgs` (emulator/serve-options.ts). */
export const EMULATE_HELP = `Usage: faasport emulate [-c serverless.yml] [options]
       faasport emulate invoke -f <function> [--event s3|sqs|sns|schedule|apigw|apigw-v2|pubsub|gcs|queue|blob|timer|<file.json>]
       faasport emulate publish --topic <topic> --data <json> [--attribute k=v]

Runs the service's functions locally, with each provider's events and Lambda's lifecycle.

  -c, --config <file>       service file (default: serverless.yml)
  -s, --stage <stage>       stage (default: provider.stage, else dev)
  --engine docker|process   where instances run (default: docker when an engine answers)
  --host <address>          address to bind (default: 127.0.0.1)
  --port <n>                API Gateway port (default: 3000)
  --lambda-port <n>         Lambda Invoke API port (default: 3002)
  --websocket-port <n>      API Gateway websockets and @connections, for websocket events (default: 3001)
  --alb-port <n>            Application Load Balancer, for alb events (default: 3003)
  --gcp-port <n>            Google Cloud Functions port: /<function>, Pub/Sub publish (default: 8080)
  --azure-port <n>          Azure Functions port: /api/<route>, queue and blob injection (default: 7071)
  --warm eager|lazy         start one instance per function at start-up (eager) or on demand (lazy)
  --idle-timeout <seconds>  reclaim instances idle this long (default: 600)
  --max-concurrency <n>     instances per function without reservedConcurrency (default: 10)
  --artifacts local|registry  run local source packed by faasport (default) or what sourceArtifact points to
  --watch                   hot reload on file change (the default for local source)
  --no-watch                no hot reload
  --strict                  with watch: swap to new code without trying it first (init errors reach callers)
  --publish-on-change       with watch: push each new artefact to the function's sourceArtifact
  --cloud                   also serve the local control planes (Lambda + S3, Azure ARM, Cloud Functions)
                            for \`sls deploy --local-cloud .\`; endpoints go to .faasport/cloud.json;
                            functions deployed there run on this emulator's engine when invoked
  --cloud-port <n>          with --cloud: the planes on n (Lambda), n+1 (S3), n+2 (Azure ARM),
                            n+3 (Cloud Functions) (default: any free ports)
  --cloud-host <address>    with --cloud: where the planes listen (default 127.0.0.1, whatever --host
                            says); another address is warned about: they deploy and run code as you
  --log-format text|json    json: invocations, reloads, instances and log lines as NDJSON on stdout
                            (schema in the README, "Event stream"); the banner goes to stderr
  --no-console              do not serve the browser console at /__faasport/
  --inspect                 open a debugger port (Node inspector, Python debugpy) in every function's
                            instances, from 9229 on; --inspect=<port>, --inspect=<function>[:<port>]
                            (repeatable) for one function; timeouts wait while a debugger is attached
  --inspect-brk             the same, each instance waiting for the debugger before any code runs
  --docker-network <name>   docker engine: instances join this network (a compose project's), reachable
                            by their function's name; default custom.faasport.dockerNetwork
  -h, --help                this help

faasport dev [options] is faasport emulate with --watch.
`;
