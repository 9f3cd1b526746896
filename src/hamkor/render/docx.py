"""Word documents with python-docx: headings, paragraphs, tables, pictures."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor


def new_document():
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(9.5)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(1.6)
        section.top_margin = section.bottom_margin = Cm(1.5)
    return document


def add_warning(document, text: str) -> None:
    run = document.add_paragraph().add_run("⚠ " + text)
    run.bold = True
    run.font.color.rgb = RGBColor(0x8E, 0x1B, 0x10)


def add_table(document, title: str, headers: list[str], rows: list[list[str]]) -> None:
    document.add_heading(title, level=2)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_picture(document, png: bytes, width_cm: float = 17.0) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
