"""The committee report as XLSX (one sheet per section) and PDF (WeasyPrint)."""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Font

from core.excel.writing import HEADER_FILL, workbook_bytes
from core.reports.committee import CommitteeReport


def report_xlsx(report: CommitteeReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Überblick"
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([report.subtitle])
    ws.append([report.tenant_name])
    ws.column_dimensions["A"].width = 80
    used: set[str] = {"Überblick"}
    for section in report.sections:
        name = re.sub(r"[\[\]\*\?/\\:]", "-", section.title)[:28]
        base, n = name, 2
        while name in used:
            name = f"{base[:25]} {n}"
            n += 1
        used.add(name)
        sh = wb.create_sheet(name)
        sh.append([section.title])
        sh["A1"].font = Font(bold=True, size=12)
        for p in section.paragraphs:
            sh.append([p])
        for table in section.tables:
            sh.append([])
            sh.append([table.title])
            sh.cell(sh.max_row, 1).font = Font(bold=True)
            sh.append(table.columns)
            for cell in sh[sh.max_row]:
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
            for row in table.rows:
                sh.append(row)
            if table.has_total:
                for cell in sh[sh.max_row]:
                    cell.font = Font(bold=True)
        for li in section.lists:
            sh.append([])
            sh.append([li.title])
            sh.cell(sh.max_row, 1).font = Font(bold=True)
            for item in li.items or ["(keine)"]:
                sh.append([item])
        sh.column_dimensions["A"].width = 60
        for col in "BCDEFGH":
            sh.column_dimensions[col].width = 24
    return workbook_bytes(wb)


def report_pdf(html: str, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]
