"""The JSON export: `Run.model_dump_json(indent=2)`, UTF-8, written atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError

from cuf_extract.models import Run
from cuf_extract.writers.atomic import atomic_write

__all__ = ["dump_json", "write_json"]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def dump_json(run: Run) -> str:
    """The export as text. Non-ASCII characters are kept as is (not ``\\u`` escapes).

    A string UTF-8 cannot encode (a lone surrogate, from an undecodable file name) makes
    pydantic fail; the export then replaces such characters by U+FFFD.
    """
    try:
        return run.model_dump_json(indent=2)
    except PydanticSerializationError:
        return json.dumps(_clean(run.model_dump(mode="json")), ensure_ascii=False, indent=2)


def write_json(run: Run, target: Path) -> Path:
    """Write the JSON export of `run` to `target` atomically; return the path written."""
    data = (dump_json(run) + "\n").encode("utf-8")

    def write(path: Path) -> None:
        path.write_bytes(data)

    def verify(path: Path) -> None:
        Run.model_validate_json(path.read_bytes())

    return atomic_write(Path(target), write, verify)
