"""`python -m scripts.check_links`: every reference in the repository leads somewhere inside it.

Fails (exit 1, one line per fault) when a text file of the repository (tracked, or new and not ignored)
- refers to the `shared` folder that sat beside the first checkouts, or to the `spec` folder in it: people
  who clone the repository do not have them; docs/spec-modules.md and docs/api.md took the place of both;
- has a relative Markdown link (`[text](path)`, `[text](path#heading)`, `[label]: path`) to a file that is
  not in the repository, or to a heading that its Markdown target does not have.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]

# Written in two parts so that this file does not match itself.
OUTSIDE = re.compile(r"(?:\.\./)+" + r"shared\b|\bshared/" + r"spec\b")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(\s*)(```|~~~).*?^\1\2[^\S\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|/)", re.IGNORECASE)  # a scheme, or an absolute URL path


def repository_files() -> list[str]:
    """Tracked files and new ones git does not ignore, as paths relative to the root."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted({p for p in listed.split("\0") if p and (ROOT / p).is_file()})


def read_text(path: str) -> str | None:
    data = (ROOT / path).read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def without_code(markdown: str) -> str:
    """The Markdown with code blocks and code spans blanked out (same length, so line numbers hold)."""
    blank = lambda match: re.sub(r"[^\n]", " ", match.group(0))  # noqa: E731
    return INLINE_CODE.sub(blank, FENCE.sub(blank, markdown))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[`*_]", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for match in HEADING.finditer(without_code(markdown)):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def link_faults(path: str, text: str, files: set[str], directories: set[str]) -> list[str]:
    prose = without_code(text)
    targets = [(m.group(1), m.start()) for m in INLINE_LINK.finditer(prose)]
    targets += [(m.group(1), m.start()) for m in REFERENCE_LINK.finditer(prose)]
    faults = []
    for target, index in targets:
        if EXTERNAL.match(target):
            continue
        file_part, _, heading = target.partition("#")
        file_part = file_part.split("?", 1)[0]
        where = f"{path}:{line_of(text, index)}"
        if not file_part:
            resolved = path
        else:
            resolved = _normalise(PurePosixPath(path).parent / file_part)
            if resolved not in files and resolved.rstrip("/") not in directories:
                faults.append(f"{where}: link to {target!r}: {resolved} is not in the repository")
                continue
        if heading and resolved.endswith(".md") and resolved in files:
            target_text = read_text(resolved) or ""
            if heading.lower() not in anchors(target_text):
                faults.append(f"{where}: link to {target!r}: {resolved} has no heading #{heading}")
    return faults


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
            else:
                return str(path)  # leaves the repository: never one of its files
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def faults() -> list[str]:
    files = repository_files()
    file_set = set(files)
    directories = {str(parent) for f in files for parent in PurePosixPath(f).parents if str(parent) != "."}
    found = []
    for path in files:
        text = read_text(path)
        if text is None:
            continue
        for match in OUTSIDE.finditer(text):
            where = f"{path}:{line_of(text, match.start())}"
            found.append(
                f"{where}: refers to {match.group(0)!r}, outside the repository "
                "(the specification is docs/spec-modules.md and docs/api.md)"
            )
        if path.endswith(".md"):
            found.extend(link_faults(path, text, file_set, directories))
    return found


def main() -> int:
    found = faults()
    for fault in found:
        print(fault)
    if found:
        print(f"{len(found)} broken reference(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
