"""The PDF engine in a process of its own, started before the document exists.

A command that prints one PDF (`hamkor brief`) pays WeasyPrint's start-up — its import and the first
use of the fonts, about half a second of pure Python — in full. Python runs one thread at a time, so a
thread cannot hide that cost. A second process can: it starts the engine on the second core while the
first one reads the figures, then lays out the HTML it is sent. The web server needs none of this: its
engine is warm from start-up (web.app.warm_up).

    with PdfProcess() as engine:      # WeasyPrint starts now, beside whatever comes next
        html = ...                    # the figures, the charts, the template
        data = engine.render(html)    # the laid-out PDF

Run as `python -m hamkor.render.pdf_process`: it reads HTML on stdin and writes the PDF on stdout.
"""

from __future__ import annotations

import subprocess
import sys


class PdfEngineError(RuntimeError):
    """The PDF process failed; the message carries the end of what it wrote on stderr."""


class PdfProcess:
    def __init__(self) -> None:
        self._child = subprocess.Popen([sys.executable, "-m", "hamkor.render.pdf_process"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def render(self, html: str) -> bytes:
        """The PDF of the HTML (fonts from the package, nothing fetched from outside, as pdf.html_to_pdf)."""
        out, err = self._child.communicate(html.encode("utf-8"))
        if self._child.returncode != 0:
            raise PdfEngineError("the PDF engine failed: " + err.decode("utf-8", "replace")[-2000:].strip())
        return out

    def close(self) -> None:
        """Stop the process if it was never asked for a document (the command failed before)."""
        if self._child.poll() is None:
            self._child.kill()
        self._child.communicate()

    def __enter__(self) -> PdfProcess:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _serve() -> None:
    from hamkor.render import pdf

    # Warm up while the parent composes: the engine's import, both packaged fonts, and the parts of
    # WeasyPrint a brief needs that it loads on first use (tables, lists, inline SVG, page margins), so
    # that the real document is only laid out.
    fonts = pdf.font_urls()
    pdf.html_to_pdf("<!DOCTYPE html><meta charset='utf-8'><style>"
                    f"@font-face {{ font-family: 'DejaVu Sans'; src: url('{fonts['regular']}'); }} "
                    f"@font-face {{ font-family: 'DejaVu Sans'; src: url('{fonts['bold']}'); font-weight: bold; }} "
                    "@page { @bottom-right { content: counter(page); } } body { font-family: 'DejaVu Sans'; }"
                    "</style><h1>·</h1><p><b>·</b></p><ul><li>·</li></ul><table><tr><th>·</th></tr><tr><td>·</td>"
                    "</tr></table><svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='5' "
                    "height='5' fill='#123456'/><text x='1' y='8' font-size='5'>1</text></svg>")
    html = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(pdf.html_to_pdf(html))
    sys.stdout.flush()


if __name__ == "__main__":
    _serve()
