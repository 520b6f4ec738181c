"""What the service did, for its operator: one line per event, as text or JSON lines.

Every module logs through `logger(name)` (a child of `conflict_ld`) and `event(...)`, which writes
the event's name and its fields: a request's access line, a query's outcome, a worker's death, a
build step, a refusal. `configure` is called once by the `serve` and `build` commands with the
level and format from the environment (`CONFLICT_LD_LOG_LEVEL`, `CONFLICT_LD_LOG_FORMAT`).
"""

from __future__ import annotations

import json
import logging
import sys
import time

ROOT = "conflict_ld"
FORMATS = ("text", "json")


def logger(name: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{name}")


def event(log: logging.Logger, name: str, level: int = logging.INFO, **fields) -> None:
    """Log `name` with its fields (values JSON can write: strings, numbers, booleans, None)."""
    if log.isEnabledFor(level):
        log.log(level, name, extra={"fields": fields})


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        pairs = " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = f"{stamp}.{int(record.msecs):03d}Z {record.levelname} {record.name.removeprefix(ROOT + '.')} " \
               f"{record.getMessage()}{' ' + pairs if pairs else ''}"
        return line + ("\n" + self.formatException(record.exc_info) if record.exc_info else "")


def _text_value(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c in text for c in ' "=\n\r\t') else text


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": round(record.created, 3), "level": record.levelname,
                "logger": record.name.removeprefix(ROOT + "."), "event": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str = "INFO", form: str = "text", stream=None) -> None:
    """Send the service's log to `stream` (standard error by default) at `level`, as `form`."""
    if form not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {form!r}")
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_JsonLines() if form == "json" else _Text())
    root = logging.getLogger(ROOT)
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    root.propagate = False
