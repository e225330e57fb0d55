"""Simple formatting of a work record's text (issue 13: "text with simple formatting"), as people
type it on a phone or an office PC without a toolbar:

* a line starting with ``- ``, ``* `` or ``• `` is an item of a bulleted list;
* a line starting with a number and ``.``, ``、`` or ``)`` (``1.``, ``2、``, ``3)``) is an item of
  a numbered list (the numbers as typed);
* ``**text**`` is bold;
* every other line is a line of its own (kept as a line break, which the page shows with
  ``white-space: pre-line``), and a blank line a paragraph break.

The text is stored as typed (the versions keep it); only the page shows it formatted. Everything is
HTML-escaped first, so nothing typed becomes markup but the three forms above.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
NUMBERED = re.compile(r"^\s*(\d{1,3})[.、)）]\s*(.*)$")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def _inline(line: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", str(escape(line)))


def formatted(text: str) -> Markup:
    """``text`` as HTML: paragraphs of lines, bulleted and numbered lists, bold. Safe to insert in a
    page: every character typed is escaped before the formatting is applied."""
    blocks: list[str] = []
    lines: list[str] = []  # the current paragraph's lines
    items: list[str] = []  # the current list's items
    kind = ""  # "ul" or "ol" while a list is open

    def close_paragraph() -> None:
        if lines:
            blocks.append("<p>" + "\n".join(lines) + "</p>")  # shown by the page's white-space: pre-line
            lines.clear()

    def close_list() -> None:
        nonlocal kind
        if items:
            blocks.append(f"<{kind}>" + "".join(items) + f"</{kind}>")
            items.clear()
        kind = ""

    for raw in text.replace("\r\n", "\n").split("\n"):
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        if bullet or numbered:
            close_paragraph()
            wanted = "ul" if bullet else "ol"
            if kind != wanted:
                close_list()
                kind = wanted
            if bullet:
                items.append(f"<li>{_inline(bullet.group(1))}</li>")
            else:
                items.append(f'<li value="{int(numbered.group(1))}">{_inline(numbered.group(2))}</li>')
        elif raw.strip():
            close_list()
            lines.append(_inline(raw))
        else:
            close_list()
            close_paragraph()
    close_list()
    close_paragraph()
    return Markup("".join(blocks))
