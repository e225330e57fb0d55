"""Simple formatting of a work record's text (plugins/worklog/formatting.py): lists, bold and
lines as typed, and nothing typed ever becomes markup."""

from __future__ import annotations

from plugins.worklog.formatting import formatted


def test_lines_paragraphs_lists_and_bold():
    text = "本周重点：\n**走访企业**3家\n\n- 整理台账\n- 起草材料\n1. 周一开会\n2、周三督查\n后记"
    assert str(formatted(text)) == (
        "<p>本周重点：\n<strong>走访企业</strong>3家</p>"
        "<ul><li>整理台账</li><li>起草材料</li></ul>"
        '<ol><li value="1">周一开会</li><li value="2">周三督查</li></ol>'
        "<p>后记</p>"
    )


def test_what_is_typed_is_escaped_before_it_is_formatted():
    shown = str(formatted('<script>alert(1)</script>\n- <b onclick="x">**粗**</b>\n** 不是粗体 **'))
    assert "<script>" not in shown and "<b " not in shown and 'onclick="' not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<li>&lt;b onclick=&#34;x&#34;&gt;<strong>粗</strong>&lt;/b&gt;</li>" in shown
    assert "** 不是粗体 **" in shown  # bold needs the text to touch its stars


def test_plain_text_reads_as_it_was_typed():
    assert str(formatted("走访企业3家\r\n整理扶贫台账")) == "<p>走访企业3家\n整理扶贫台账</p>"
    assert str(formatted("")) == ""
