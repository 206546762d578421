"""Sorted keys cut into pieces by their content: a piece ends after each key whose hash is a multiple of
the spacing, so adding or removing a key changes the piece it is in and moves no other cut."""

from __future__ import annotations

import zlib


def cut(keys: list[str], spacing: int) -> list[list[str]]:
    """`keys` (sorted) in pieces of about `spacing` keys."""
    pieces: list[list[str]] = [[]]
    for key in keys:
        pieces[-1].append(key)
        if zlib.crc32(key.encode("utf-8")) % spacing == 0:
            pieces.append([])
    return [p for p in pieces if p]
