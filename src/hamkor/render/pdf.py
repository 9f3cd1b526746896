"""HTML to PDF with WeasyPrint, offline: fonts from the package, nothing fetched from outside."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

FONT_DIR = Path(str(resources.files("hamkor.render").joinpath("fonts")))


def font_urls() -> dict[str, str]:
    return {"regular": (FONT_DIR / "DejaVuSans.ttf").as_uri(), "bold": (FONT_DIR / "DejaVuSans-Bold.ttf").as_uri()}


def is_allowed(url: str) -> bool:
    """Our own font files and inline data; WeasyPrint would silently drop anything it cannot fetch."""
    if url.startswith("data:"):
        return True
    if url.startswith("file://"):
        return Path(url.removeprefix("file://")).resolve().is_relative_to(FONT_DIR.resolve())
    return False


def local_only_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not is_allowed(url):
                raise ValueError(f"refusing to fetch {url!r}: documents are rendered offline")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def html_to_pdf(html: str) -> bytes:
    return render_document(html).write_pdf()


def render_document(html: str):
    """The laid-out document (WeasyPrint's): its pages can be written together or in parts without
    laying them out again (see missions.documents.agenda_bundle)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=local_only_fetcher(), base_url=str(FONT_DIR)).render()
