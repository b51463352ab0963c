"""Makes numbered-paragraphs.pdf: a report laid out as UN documents are (run from the repository root).

Numbered paragraphs, justified, a list, a running header and a page number on every page, and a paragraph
that crosses a page break. Kept so the fixture can be made again; the tests read the committed PDF.
"""

from pathlib import Path

from fpdf import FPDF

PARAGRAPHS = [
    "The Security Council met 250 times during the period under review and adopted 44 resolutions, "
    "fewer than in any year since 1991.",
    "Draft resolutions were vetoed on three occasions. In each case the General Assembly met within ten "
    "working days, as resolution 76/262 asks, and heard the permanent member that cast the veto explain why.",
    "Members raised the following concerns:",
    "- the Council's composition, unchanged since 1965;",
    "- the use of the veto on questions of humanitarian access;",
    "- the working methods of its subsidiary bodies.",
    "Several delegations, including those of Brazil, India and South Africa, proposed that the Council be "
    "enlarged in both categories of membership. Others preferred an enlargement limited to non-permanent seats, "
    "renewable once. The debate continued in the intergovernmental negotiations, which met nine times.",
    "The Council renewed the mandates of eleven peacekeeping operations. It reviewed the Mission in South Sudan "
    "twice, and asked the Secretary-General for a report on the protection of civilians by 30 June.",
    "The report of the Secretary-General (S/2023/123) describes the work of the U.N. missions in detail.",
    "The President of the Council, Ms. Frazer of Malta, noted that the Council had met on 12 occasions at the "
    "request of elected members (E10). Abbreviations such as U.N. and No. 5 do not end sentences.",
]


class Report(FPDF):
    def header(self):
        self.set_font("Helvetica", "I", 9)
        self.cell(0, 8, "Report of the Security Council A/78/2", align="C")
        self.ln(12)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 10, str(self.page_no()), align="C")


def make(path: Path) -> None:
    pdf = Report(format=(148, 210))
    pdf.set_title("Report of the Security Council")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Introduction", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10.5)
    number = 0
    for _ in range(3):  # three times over, so the text runs across pages
        for text in PARAGRAPHS:
            if text.startswith("- "):
                pdf.set_x(pdf.l_margin + 6)
                pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
                continue
            number += 1
            pdf.multi_cell(0, 5.5, f"{number}. {text}", align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
    pdf.output(str(path))


if __name__ == "__main__":
    make(Path(__file__).with_name("numbered-paragraphs.pdf"))
