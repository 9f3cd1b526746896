"""Word documents with python-docx: headings, paragraphs, tables, pictures."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

# What an official document is set in, in Russia and Uzbekistan alike: A4, a serif face at 12-14 pt,
# margins of 2-3 cm (the left one wider, for binding).
BODY_FONT, BODY_SIZE, TABLE_SIZE = "Times New Roman", Pt(12), Pt(10)


def new_document():
    document = Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = BODY_SIZE
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not the template's Letter
        section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(2.0)
    return document


def add_warning(document, text: str) -> None:
    run = document.add_paragraph().add_run("⚠ " + text)
    run.bold = True
    run.font.color.rgb = RGBColor(0x8E, 0x1B, 0x10)


def add_table(document, title: str, headers: list[str], rows: list[list[str]]) -> None:
    document.add_heading(title, level=2).paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    _repeat_as_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        run = cell.paragraphs[0].runs[0]
        run.bold, run.font.size = True, TABLE_SIZE
    for row in rows:
        added = table.add_row()
        _keep_whole(added)
        for index, (cell, text) in enumerate(zip(added.cells, row, strict=True)):
            cell.text = text
            paragraph = cell.paragraphs[0]
            paragraph.runs[0].font.size = TABLE_SIZE
            paragraph.paragraph_format.keep_with_next = True  # no row left alone at the top of a page
            if index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_note(document, text: str) -> None:
    """A note under the table it qualifies, a size smaller than the body, as an official note is set."""
    paragraph = document.add_paragraph(style="List Bullet")
    run = paragraph.add_run(text)
    run.font.size = TABLE_SIZE


def _repeat_as_header(row) -> None:
    """The head row repeats on every page the table runs to."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _keep_whole(row) -> None:
    """A row is never split across two pages."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:cantSplit")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def add_picture(document, png: bytes, width_cm: float = 17.0) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
