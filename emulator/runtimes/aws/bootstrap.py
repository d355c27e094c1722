"""faasport's Lambda runtime client for Python: speaks the Runtime API (2018-06-01) at
$AWS_LAMBDA_RUNTIME_API, loads $_HANDLER from $LAMBDA_TASK_ROOT and logs in the cloud's format.
Standard library only, so it runs on any Python 3.8+ the instance has."""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
HANDLER = os.environ.get("_HANDLER", "")
_connection = http.client.HTTPConnection(API)
_request_id = None


def _call(method, path, body=None, headers=None):
    global _connection
    for attempt in range(2):
        try:
            _connection.request(method, "/2018-06-01" + path, body=body, headers=headers or {})
            response = _connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        except (http.client.HTTPException, ConnectionError):
            if attempt:
                raise
            _connection = http.client.HTTPConnection(API)


def _error_payload(error_type, message, trace):
    return {"errorMessage": message, "errorType": error_type, "requestId": _request_id or "", "stackTrace": trace}


def _post_error(path, error_type, message, trace, headers=None):
    body = json.dumps(_error_payload(error_type, message, trace)).encode()
    headers = dict(headers or {})
    headers.update({"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})
    _call("POST", path, body, headers)


def _mark_output(request_id):
    """Ends an invocation's output with a mark line on stdout and stderr, named in a result header:
    the emulator counts every line before the marks as the invocation's own."""
    mark = "faasport-output-mark " + request_id
    for stream in (sys.stdout, sys.stderr):
        stream.write(mark + "\n")
        stream.flush()
    return {"X-Faasport-Output-Mark": "stdout,stderr"}


class _LambdaFormatter(logging.Formatter):
    def format(self, record):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
        return "[%s]\t%s\t%s\t%s" % (record.levelname, stamp, _request_id or "", record.getMessage())


def _configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_LambdaFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)


class _Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline = int(headers.get("lambda-runtime-deadline-ms", "0"))
        client_context = headers.get("lambda-runtime-client-context")
        self.client_context = json.loads(client_context) if client_context else None
        identity = headers.get("lambda-runtime-cognito-identity")
        self.identity = json.loads(identity) if identity else None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


def _load_handler():
    module_path, _, function_name = HANDLER.rpartition(".")
    if not module_path or not function_name:
        raise _RuntimeError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % HANDLER)
    sys.path.insert(0, TASK_ROOT)
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except SyntaxError as error:
        raise _RuntimeError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_path, error))
    except ImportError as error:
        raise _RuntimeError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, error))
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise _RuntimeError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_path))
    return handler


class _RuntimeError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def _start_debugpy():
    """`faasport emulate --inspect`: listen for a debugpy client (VS Code "Python Debugger: Attach")
    at $FAASPORT_DEBUGPY, waiting for it first with --inspect-brk. Said once, and skipped, when
    debugpy is not installed in this Python."""
    address = os.environ.get("FAASPORT_DEBUGPY")
    if not address:
        return
    try:
        import debugpy
    except ImportError:
        print("faasport: --inspect for Python functions needs debugpy in the instance's Python "
              "(pip install debugpy, or add it to the function's dependencies); running without a debugger",
              file=sys.stderr, flush=True)
        return
    host, port = address.rsplit(":", 1)
    debugpy.listen((host, int(port)))
    # The same words as Node's inspector: the emulator suspends timeouts from here with --inspect-brk.
    print(f"Debugger listening on {host}:{port} (debugpy)", file=sys.stderr, flush=True)
    if os.environ.get("FAASPORT_DEBUGPY_WAIT"):
        debugpy.wait_for_client()
        print("faasport: debugpy client attached", file=sys.stderr, flush=True)
        return

    def announce():
        while not debugpy.is_client_connected():
            time.sleep(0.2)
        print("faasport: debugpy client attached", file=sys.stderr, flush=True)

    import threading
    threading.Thread(target=announce, daemon=True).start()


def main():
    global _request_id
    _configure_logging()
    _start_debugpy()
    try:
        handler = _load_handler()
    except _RuntimeError as error:
        print("[ERROR] %s: %s" % (error.error_type, error), flush=True)
        _post_error("/runtime/init/error", error.error_type, str(error), [])
        sys.exit(1)
    while True:
        status, headers, body = _call("GET", "/runtime/invocation/next")
        if status != 200:
            sys.exit(1)
        _request_id = headers.get("lambda-runtime-aws-request-id")
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        try:
            event = json.loads(body or b"null")
            result = handler(event, _Context(headers))
            payload = json.dumps(result).encode()
        except Exception as error:  # the handler's failure is the invocation's result
            frames = traceback.format_list(traceback.extract_tb(error.__traceback__)[1:])
            print("[ERROR] %s: %s" % (type(error).__name__, error), flush=True)
            _post_error("/runtime/invocation/%s/error" % _request_id, type(error).__name__, str(error), frames,
                        _mark_output(_request_id))
            continue
        headers = _mark_output(_request_id)
        headers["Content-Type"] = "application/json"
        _call("POST", "/runtime/invocation/%s/response" % _request_id, payload, headers)


if __name__ == "__main__":
    main()
