"""Every text of the demo's data files, for the tests that look for copied or leaked words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from demo.story import FILES, read_table


def data_texts() -> list[str]:
    """Every string in every data file, as the loader reads it."""
    return [text for file in FILES for text in _strings(read_table(file))]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
