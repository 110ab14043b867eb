"""The text encodings a delimited upload may have: UTF-8 (checked), or UTF-16/32 with a byte-order mark
(transcoded to UTF-8 first); anything that looks binary is refused."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np

from backend.services.table_import.common import InvalidDataset

# Byte-order marks of the Unicode encodings accepted besides UTF-8 (UTF-32 first: its LE mark starts
# with UTF-16's). Such text is transcoded to UTF-8 before parsing.
TRANSCODED_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]
CHECK_BYTES = 8 << 20  # read at a time by the UTF-8 check


def refuse_binary(head: bytes) -> None:
    if b"\x00" not in head:
        return
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) > len(head) // 4 and min(even, odd) < max(even, odd) // 8:
        raise InvalidDataset(
            "The file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 "
            "with a byte-order mark) and upload again."
        )
    raise InvalidDataset("The file looks binary (it contains NUL bytes); upload CSV, TSV or Parquet.")


def refuse_control_characters(utf8_head: bytes, label: str) -> None:
    """Random bytes that happen to start with a byte-order mark decode to text full of controls."""
    if any(byte < 0x20 and byte not in b"\t\n\r" for byte in utf8_head):
        raise InvalidDataset(
            f"The file starts with a {label} byte-order mark but holds control characters or NUL: it looks "
            "binary; upload CSV, TSV or Parquet."
        )


def transcode_to_utf8(path: Path, out: Path, encoding: str, label: str) -> None:
    """Decode `path` (BOM first) chunk by chunk and write it as UTF-8 to `out`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as source, out.open("wb") as target:
        while chunk := source.read(1 << 20):
            try:
                target.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InvalidDataset(
                    f"The file starts with a {label} byte-order mark but is not valid {label} text "
                    f"(near byte {offset + exc.start}). Save it as UTF-8 and upload again."
                ) from None
            offset += len(chunk)
        try:
            target.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidDataset(
                f"The file is not valid {label} text: it ends in the middle of a character."
            ) from None


def is_utf8(text: memoryview) -> bool:
    """Whether `text` (whole characters) is UTF-8; ASCII, the usual case, is seen without decoding."""
    if int(np.frombuffer(text, np.uint8).max(initial=0)) < 0x80:
        return True
    try:
        codecs.utf_8_decode(text, "strict", True)
    except UnicodeDecodeError:
        return False
    return True


def check_utf8(path: Path, piece_bytes: int = CHECK_BYTES) -> None:
    """Refuse text that is not UTF-8, saying on which line the first bad byte is.

    Read `piece_bytes` at a time. Pure ASCII (most data files) is valid UTF-8 and is recognised without
    decoding; only pieces with other bytes are decoded, and only a failure rereads the file to say where.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = bytearray(piece_bytes)
    with path.open("rb", buffering=0) as handle:
        while n_read := handle.readinto(buffer):
            piece = buffer if n_read == len(buffer) else buffer[:n_read]
            # A character cut at the end of the last piece continues here: then decode this one too.
            if piece.isascii() and not decoder.getstate()[0]:
                continue
            try:
                decoder.decode(piece)
            except UnicodeDecodeError:
                break
        else:
            try:
                decoder.decode(b"", final=True)
                return
            except UnicodeDecodeError:
                pass
    _refuse_with_where(path)


def _refuse_with_where(path: Path) -> None:
    """The message for the first byte of `path` that is not UTF-8 (decoding from the start)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                raise InvalidDataset(
                    f"The file is not UTF-8 text: invalid byte 0x{chunk[exc.start]:02x} at byte {bad} "
                    f"(line {line}). Save it as UTF-8 and upload again."
                ) from None
            offset += len(chunk)
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InvalidDataset(
                "The file is not UTF-8 text: it ends in the middle of a character."
            ) from None
    raise InvalidDataset("The file is not UTF-8 text.")  # the two decodings disagree: never seen
