"""Send `logging` records to Vigil with nothing but the standard library.

The "no SDK" route: a `logging.Handler` that turns each record into one JSON line and a
background thread that posts them in batches, gzip-compressed NDJSON, to the project's
`/api/<project id>/logs/` endpoint. Copy this file into your project as it is; it needs
Python 3.9+ and no packages. In `settings.py`:

    LOGGING["handlers"]["vigil"] = {
        "class": "shop.vigil_logging.VigilHandler",   # wherever you put this file
        "dsn": os.environ["VIGIL_DSN"],                # http://<key>@<host>/<project id>
        "service": "shop",
    }
    LOGGING["root"]["handlers"].append("vigil")

What each line carries: `timestamp` (RFC 3339, microseconds), `level` (the record's
levelname), `message` (the formatted message, with the traceback when there is one),
`logger`, `service`, `host`, `trace_id`/`span_id` (from sentry-sdk or OpenTelemetry when
either is in use and a span is active), `code.*`, and every field given with `extra=` —
which Vigil keeps as searchable attributes (`attr.order_id:1234`).

Logging never waits for the network: `emit` only queues the line. When Vigil cannot be
reached the batch is tried again a few times (after `Retry-After` on 429 and 503); when
the queue is full, new lines are dropped and counted rather than blocking the app.
"""

import atexit
import gzip
import json
import logging
import os
import queue
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

_formatter = logging.Formatter()

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def logs_endpoint(dsn):
    """`http://KEY@host:port/42` -> (`http://host:port/api/42/logs/`, `KEY`)."""
    parts = urllib.parse.urlsplit(dsn)
    prefix, _, project_id = parts.path.rstrip("/").rpartition("/")
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{prefix}/api/{project_id}/logs/", parts.username


def _current_trace():
    """(trace_id, span_id) of the active span, from sentry-sdk or OpenTelemetry if the app uses either."""
    sentry_sdk = sys.modules.get("sentry_sdk")
    if sentry_sdk is not None:
        span = sentry_sdk.get_current_span()
        if span is not None:
            return span.trace_id, span.span_id
    otel_trace = sys.modules.get("opentelemetry.trace")
    if otel_trace is not None:
        context = otel_trace.get_current_span().get_span_context()
        if context.is_valid:
            return format(context.trace_id, "032x"), format(context.span_id, "016x")
    return None, None


class VigilHandler(logging.Handler):
    """Batches records and posts them to Vigil from a background thread."""

    def __init__(
        self,
        dsn=None,
        *,
        url=None,
        key=None,
        service=None,
        level=logging.INFO,
        batch_size=500,
        interval=2.0,
        max_queue=10_000,
        timeout=10.0,
    ):
        super().__init__(level)
        if dsn:
            url, key = logs_endpoint(dsn)
        if not url or not key:
            raise ValueError("VigilHandler needs a dsn (or url and key)")
        self.url, self.key, self.service = url, key, service
        self.host = socket.gethostname()
        self.batch_size, self.interval, self.timeout = batch_size, interval, timeout
        self.dropped = 0
        self._queue = queue.Queue(maxsize=max_queue)
        self._thread = None
        self._pid = None
        self._lock = threading.Lock()
        atexit.register(self.close)

    # --- in the app's threads: never blocks on the network ---

    def emit(self, record):
        try:
            line = self.to_dict(record)
            self._ensure_thread()
            self._queue.put_nowait(json.dumps(line, default=str, ensure_ascii=False))
        except queue.Full:
            self.dropped += 1
        except Exception:
            self.handleError(record)

    def to_dict(self, record):
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{_formatter.formatException(record.exc_info)}"
        if record.stack_info:
            message = f"{message}\n{record.stack_info}"
        line = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="microseconds"),
            "level": record.levelname,
            "message": message,
            "logger": record.name,
            "host": self.host,
            "code.function.name": record.funcName,
            "code.file.path": record.pathname,
            "code.line.number": record.lineno,
        }
        if self.service:
            line["service"] = self.service
        trace_id, span_id = _current_trace()
        if trace_id:
            line["trace_id"], line["span_id"] = trace_id, span_id
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and not name.startswith("_"):
                line[name] = value
        return line

    def _ensure_thread(self):
        # Started on first use, and again in a forked child (Gunicorn's workers) where it does not exist.
        if self._pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._pid != os.getpid() or self._thread is None:
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="vigil-logs", daemon=True)
                self._thread.start()

    def flush(self, timeout=5.0):
        """Send what is queued now; waits up to `timeout` seconds."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return
        done.wait(timeout)

    def close(self):
        self.flush()
        super().close()

    # --- in the background thread ---

    def _run(self):
        batch = []
        deadline = time.monotonic() + self.interval
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if isinstance(item, str):
                batch.append(item)
            due = time.monotonic() >= deadline
            if batch and (due or isinstance(item, threading.Event) or len(batch) >= self.batch_size):
                self._send(batch)
                batch = []
            if isinstance(item, threading.Event):
                item.set()  # flush(): everything queued before it is sent
            if due or not batch:
                deadline = time.monotonic() + self.interval

    def _send(self, lines, attempts=3):
        body = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-ndjson",
                "Content-Encoding": "gzip",
                "Authorization": f"Bearer {self.key}",
                "User-Agent": "vigil-logging/1.0",
            },
        )
        for attempt in range(attempts):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read() or b"{}")
                if answer.get("rejected"):
                    self._warn(f"Vigil refused {answer['rejected']} log lines: {'; '.join(answer.get('errors', []))}")
                return
            except urllib.error.HTTPError as error:
                if error.code not in (429, 503) or attempt == attempts - 1:
                    self._warn(f"Vigil answered {error.code} to {len(lines)} log lines: {error.read()[:300]!r}")
                    return
                time.sleep(min(30.0, float(error.headers.get("Retry-After") or 2)))
            except (OSError, ValueError) as error:
                if attempt == attempts - 1:
                    self._warn(f"could not send {len(lines)} log lines to Vigil: {error}")
                    return
                time.sleep(2**attempt)

    @staticmethod
    def _warn(text):
        # Not through `logging`: that would queue a line about failing to send lines.
        print(f"vigil_logging: {text}", file=sys.stderr)
