"""Small Word, PowerPoint and OpenDocument files made with the libraries that read them."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml import parse_xml
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from pptx import Presentation
from pptx.util import Inches


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Travel policy"
    document.add_paragraph("Travel policy", style="Title")
    document.add_paragraph("Read this before you book.")
    document.add_heading("Hotels", level=1)
    document.add_paragraph("Hotels up to 220 EUR per night are approved without asking.")
    document.add_heading("Abroad", level=2)
    document.add_paragraph("Abroad the limit is 260 EUR.")
    table = document.add_table(rows=3, cols=2)
    for row, (city, limit) in enumerate([("City", "Limit"), ("Paris", "300"), ("Lyon", "180")]):
        table.cell(row, 0).text, table.cell(row, 1).text = city, limit
    document.add_heading("Trains", level=1)
    document.add_paragraph("Second class, unless the trip is longer than four hours.")
    changed = document.add_paragraph("Taxis: ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    when = 'w:author="a" w:date="2026-01-01T00:00:00Z"'
    inserted = '<w:r><w:t>only at night.</w:t></w:r>'
    deleted = '<w:r><w:delText>never.</w:delText></w:r>'
    changed._p.append(parse_xml(f'<w:ins {w} w:id="1" {when}>{inserted}</w:ins>'))
    changed._p.append(parse_xml(f'<w:del {w} w:id="2" {when}>{deleted}</w:del>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pptx() -> bytes:
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Welcome to Acme"
    first.placeholders[1].text = "Your first week, step by step."
    first.notes_slide.notes_text_frame.text = "Mention the laptop pickup at the front desk."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Who to ask"
    shape = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1))
    cells = shape.table
    cells.cell(0, 0).text, cells.cell(0, 1).text = "Topic", "Contact"
    cells.cell(1, 0).text, cells.cell(1, 1).text = "Payroll", "payroll@acme.example"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def make_odt() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text="Parental leave"))
    document.text.addElement(odf_text.P(text="Birth parents get 16 weeks on full pay."))
    document.text.addElement(odf_text.H(outlinelevel=2, text="Partners"))
    document.text.addElement(odf_text.P(text="Partners get 4 weeks on full pay."))
    grid = odf_table.Table()
    for values in (("Weeks", "Pay"), ("1-16", "full")):
        row = odf_table.TableRow()
        for value in values:
            cell = odf_table.TableCell()
            cell.addElement(odf_text.P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    document.text.addElement(grid)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_empty_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    return out.getvalue()
