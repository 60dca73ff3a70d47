"""Reading untrusted input files: regular files only, bounded in size, UTF-8 located.

Every reader (scenarios, benchmark instances, plan files) goes through
:func:`read_text_file`, so a pipe, a device such as ``/dev/zero`` or a folder is refused
before it is opened, and a huge file is refused after reading one byte past its limit.
"""

from __future__ import annotations

import stat
from pathlib import Path

from xiezuo.errors import InputError


def read_text_file(path: str | Path, source: str, limit: int, what: str) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    ``what`` names the kind of file in messages (``"YAML scenario"``, ``"plan"``).

    Raises
    ------
    InputError
        The path is missing, not a regular file, too large, or not UTF-8 (with the
        line and column of the first bad byte).
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or device)"
            raise InputError(source, "", f"cannot read a {what} from it: it is {kind}")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(source, "", f"cannot read the file: {exc.strerror or exc}") from exc
    if len(raw) > limit:
        raise InputError(
            source,
            "",
            f"the file is larger than {limit / 2**20:g} MB ({limit:,} bytes), the limit for "
            f"a {what} file",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise InputError(
            source,
            f"line {line}, column {column}",
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; save the file as UTF-8",
        ) from exc
