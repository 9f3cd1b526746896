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


TEXT_WIDTH_CM = 21.0 - 2.5 - 1.5


def new_document(author: str = "hamkor", title: str | None = None):
    """A4 with an official's margins, numbered pages, and the instance (not the library) as its author."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = BODY_SIZE
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not the template's Letter
        section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(2.0)
        _page_number(section.footer.paragraphs[0])
    properties = document.core_properties
    properties.author = properties.last_modified_by = author
    properties.comments = ""
    if title:
        properties.title = title
    return document


def _page_number(paragraph) -> None:
    """The page's number, centred in the footer (a PAGE field: Word fills it in on every page)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


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
    _fit_columns(table, [headers, *rows])


def column_widths(lines: list[list[str]], total_cm: float = TEXT_WIDTH_CM) -> list[float]:
    """Widths that fit the content: each column as wide as its longest word and its usual text need, the
    names' column taking what the figures leave (a figure's column is never wider than its figures)."""
    columns = list(zip(*lines, strict=True))
    longest_word = [max((len(w) for cell in col for w in str(cell).split()), default=1) for col in columns]
    typical = [max(len(str(cell)) for cell in col[1:]) if len(col) > 1 else len(str(col[0])) for col in columns]
    need = [max(word, min(text, 60)) for word, text in zip(longest_word, typical, strict=True)]
    scale = total_cm / sum(need)
    return [round(n * scale, 2) for n in need]


def _fit_columns(table, lines: list[list[str]]) -> None:
    table.autofit = False
    for width, column in zip(column_widths(lines), table.columns, strict=True):
        for cell in column.cells:
            cell.width = Cm(width)


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
