"""A brief as HTML, PDF, DOCX or Markdown."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from hamkor.briefing.compose import Brief
from hamkor.briefing.phrases import label
from hamkor.render import charts, pdf

if TYPE_CHECKING:
    from hamkor.render.pdf_process import PdfProcess

FORMATS = ("html", "pdf", "docx", "md")


def _environment() -> Environment:
    return Environment(loader=PackageLoader("hamkor.briefing", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def to_html(brief: Brief, fonts: dict[str, str] | None = None) -> str:
    """HTML of the brief; `fonts` maps regular/bold to URLs (default: the package's files, for PDF)."""
    template = _environment().get_template("brief.html.j2")
    labels = {"sources": label("sources", brief.lang), "prepared": label("prepared", brief.lang),
              "promising": label("promising", brief.lang), "cooperation": label("cooperation", brief.lang)}
    return keep_together(template.render(brief=brief, labels=labels, fonts=fonts or pdf.font_urls()))


# Words a line must not break inside, as an official's text is set: the unit of a sum and the year's "г."
UNBREAKABLE = re.compile(r"(?:тыс\.|млн|млрд) долл\. США|(?:ming|mln|mlrd) AQSh dollar\w*")
YEAR_MARK = re.compile(r"(\d) (гг?\.)")


def keep_together(html: str) -> str:
    """No-break spaces where a printed line must not break: «млн долл. США» and «2025 г.» stay whole (a PDF
    page broke them as «41,6 млн долл. / США»)."""
    html = UNBREAKABLE.sub(lambda m: m.group().replace(" ", "\u00a0"), html)
    return YEAR_MARK.sub("\\1\u00a0\\2", html)


def to_pdf(brief: Brief, engine: PdfProcess | None = None) -> bytes:
    """`engine`: a PDF process started earlier (the CLI's, see render.pdf_process); else this one."""
    html = to_html(brief)
    return engine.render(html) if engine is not None else pdf.html_to_pdf(html)


def typeset(value):
    """The brief with every text set as `keep_together` sets the HTML: a DOCX or Markdown file wraps its
    lines wherever the reader's program likes, so the no-break spaces must be in the text itself."""
    if isinstance(value, str):
        return keep_together(value)
    if isinstance(value, list):
        return [typeset(item) for item in value]
    if isinstance(value, tuple):
        return tuple(typeset(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: typeset(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init and f.name != "spec"})
    return value


def to_docx(brief: Brief) -> bytes:
    from hamkor.render import docx  # python-docx and lxml: loaded for a DOCX only, not for every PDF

    brief = typeset(brief)

    document = docx.new_document(title=f"{brief.title}: {brief.subtitle}")
    document.add_heading(brief.title, level=1)
    document.add_paragraph(brief.subtitle)
    if brief.warning:
        docx.add_warning(document, brief.warning)
    document.add_paragraph(brief.headline)
    for paragraph in brief.paragraphs:
        document.add_paragraph(paragraph)
    for table in brief.tables:
        docx.add_table(document, table.title, table.headers, table.rows)
        for note in table.notes:
            docx.add_note(document, note)
    for chart in brief.charts:
        docx.add_picture(document, charts.to_png(chart.spec, brief.lang))
    _docx_parts(document, label("cooperation", brief.lang), brief.cooperation, "List Bullet")
    _docx_parts(document, label("promising", brief.lang), brief.promising, "List Number")
    document.add_heading(label("sources", brief.lang), level=2)
    for source in brief.sources:
        document.add_paragraph(source, style="List Bullet")
    document.add_paragraph(f"{label('prepared', brief.lang)}: {brief.prepared_on} · hamkor")
    return docx.to_bytes(document)


def _docx_parts(document, heading: str, parts, style: str) -> None:
    """A section of titled lists (the registry's record, the promising areas), if it has any."""
    if not parts:
        return
    document.add_heading(heading, level=2)
    for part in parts:
        document.add_paragraph(part.title).runs[0].bold = True
        for item in part.items:
            document.add_paragraph(item, style=style)


# Text in the brief comes from the registry and the reference data, typed by people: in Markdown it is said
# as it was written, never read as markup. HTML is escaped as the HTML and PDF briefs escape it (a viewer
# that renders Markdown passes raw HTML through: a name holding <script> or <img onerror=…> would run);
# Markdown's own inline markers get a backslash, so a name cannot make a link or emphasis either.
_INLINE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~"}})
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")  # what str.splitlines splits on
_BLOCK_START = re.compile(r"^(?:[#=+-]|\d+(?=[.)](?:\s|$)))")


def _md(text: str) -> str:
    """Text inside a line: escaped, and on that one line (a line break would start a heading or a list)."""
    return _LINE_BREAKS.sub(" ", str(text).translate(_INLINE))


def _md_line(text: str) -> str:
    """Text that starts a block (a paragraph, a list item's or a heading's content): also its first
    character cannot turn it into a heading, a list or a rule."""
    said = _md(text)
    marker = _BLOCK_START.match(said)
    if marker is None:
        return said
    if marker.group()[0].isdigit():  # "1." starts a numbered list: the dot gets the backslash
        return f"{marker.group()}\\{said[marker.end():]}"
    return "\\" + said


def to_markdown(brief: Brief) -> str:
    brief = typeset(brief)
    lines = [f"# {_md_line(brief.title)}", "", _md_line(brief.subtitle), ""]
    if brief.warning:
        lines += [f"> **⚠ {_md(brief.warning)}**", ""]
    lines += [_md_line(brief.headline), ""]
    lines += [_md_line(p) + "\n" for p in brief.paragraphs]
    for table in brief.tables:
        lines += [f"## {_md_line(table.title)}", "", "| " + " | ".join(_md(h) for h in table.headers) + " |",
                  "|" + "|".join(["---"] + ["---:"] * (len(table.headers) - 1)) + "|"]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in table.rows]
        lines.append("")
        if table.notes:
            lines += [f"- {_md_line(note)}" for note in table.notes] + [""]
    if brief.cooperation:
        lines += [f"## {label('cooperation', brief.lang)}", ""]
        for part in brief.cooperation:
            lines += [f"**{_md(part.title)}**", ""] + [f"- {_md_line(item)}" for item in part.items] + [""]
    if brief.promising:
        lines += [f"## {label('promising', brief.lang)}", ""]
        for part in brief.promising:
            lines += [f"**{_md(part.title)}**", ""] + [f"{n}. {_md_line(item)}"
                                                         for n, item in enumerate(part.items, 1)] + [""]
    if lines[-1]:
        lines.append("")
    lines += [f"## {label('sources', brief.lang)}", ""] + [f"- {_md_line(s)}" for s in brief.sources]
    lines += ["", f"{label('prepared', brief.lang)}: {_md(brief.prepared_on)} · hamkor", ""]
    return "\n".join(lines)


def render(brief: Brief, fmt: str, pdf_engine: PdfProcess | None = None) -> bytes:
    if fmt == "html":
        return to_html(brief).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(brief, pdf_engine)
    if fmt == "docx":
        return to_docx(brief)
    if fmt == "md":
        return to_markdown(brief).encode("utf-8")
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
