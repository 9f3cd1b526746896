"""A brief as HTML, PDF, DOCX or Markdown."""

from __future__ import annotations

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
    return template.render(brief=brief, labels=labels, fonts=fonts or pdf.font_urls())


def to_pdf(brief: Brief, engine: PdfProcess | None = None) -> bytes:
    """`engine`: a PDF process started earlier (the CLI's, see render.pdf_process); else this one."""
    html = to_html(brief)
    return engine.render(html) if engine is not None else pdf.html_to_pdf(html)


def to_docx(brief: Brief) -> bytes:
    from hamkor.render import docx  # python-docx and lxml: loaded for a DOCX only, not for every PDF

    document = docx.new_document()
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


def to_markdown(brief: Brief) -> str:
    lines = [f"# {brief.title}", "", brief.subtitle, ""]
    if brief.warning:
        lines += [f"> **⚠ {brief.warning}**", ""]
    lines += [brief.headline, ""]
    lines += [p + "\n" for p in brief.paragraphs]
    for table in brief.tables:
        lines += [f"## {table.title}", "", "| " + " | ".join(table.headers) + " |",
                  "|" + "|".join(["---"] + ["---:"] * (len(table.headers) - 1)) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in table.rows]
        lines.append("")
        if table.notes:
            lines += [f"- {note}" for note in table.notes] + [""]
    if brief.cooperation:
        lines += [f"## {label('cooperation', brief.lang)}", ""]
        for part in brief.cooperation:
            lines += [f"**{part.title}**", ""] + [f"- {item}" for item in part.items] + [""]
    if brief.promising:
        lines += [f"## {label('promising', brief.lang)}", ""]
        for part in brief.promising:
            lines += [f"**{part.title}**", ""] + [f"{n}. {item}" for n, item in enumerate(part.items, 1)] + [""]
    if lines[-1]:
        lines.append("")
    lines += [f"## {label('sources', brief.lang)}", ""] + [f"- {s}" for s in brief.sources]
    lines += ["", f"{label('prepared', brief.lang)}: {brief.prepared_on} · hamkor", ""]
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
