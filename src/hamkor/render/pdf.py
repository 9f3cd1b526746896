"""HTML to PDF with WeasyPrint, offline: fonts from the package, nothing fetched from outside."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FONT_DIR = Path(str(resources.files("hamkor.render").joinpath("fonts")))


def font_urls() -> dict[str, str]:
    return {"regular": (FONT_DIR / "DejaVuSans.ttf").as_uri(), "bold": (FONT_DIR / "DejaVuSans-Bold.ttf").as_uri()}


def local_only_fetcher(url: str, *args, **kwargs):
    """WeasyPrint silently drops what it cannot fetch; we refuse anything but our own files."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://") and Path(url.removeprefix("file://")).resolve().is_relative_to(FONT_DIR.resolve()):
        return default_url_fetcher(url, *args, **kwargs)
    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"refusing to fetch {url!r}: documents are rendered offline")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=local_only_fetcher, base_url=str(FONT_DIR)).write_pdf()
