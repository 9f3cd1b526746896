"""The Content-Disposition of a file the server sends: RFC 6266, so a name in any script arrives intact
and nothing a visitor typed can break out of the header."""

from __future__ import annotations

import re
from urllib.parse import quote


def disposition(name: str, inline: bool = False) -> dict[str, str]:
    """`attachment; filename="ascii_fallback.pdf"; filename*=UTF-8''<the name, percent-encoded>`."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name).strip() or "download"
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}
