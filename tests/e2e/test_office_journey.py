"""The whole office journey in a real Chromium, as a newcomer walks it: on a fresh locality, in
zh-CN and from the pages alone (menu, tab bars, links, buttons; no typed URL), an office enables
the forced distribution and double entry on the plugins page, sets up a campaign with three
evaluator categories and a ballot cap, issues accounts and prints each category's slips, opens
it, watches the turnout change while three phones vote with codes read from the slips PDF, has
two clerks enter one paper ballot, closes, tallies, reads a subject's radar chart, adjusts a
grade with a reason, publishes and downloads the .xlsx, PDF and .docx, each read back. Then a
shorter pass in English. Screenshots of the main pages are left under the test's tmp folder."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import docx
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from core.context import Actor
from core.schemas.org import SubjectIn, UnitIn
from core.services import org
from core.services import subjects as subject_service
from tests.campaign_setup import TEMPLATE
from tests.e2e.console import DESKTOP, sign_in
from tests.e2e.console import screenshot as _screenshot
from tests.e2e.phone import fits_the_screen
from tests.e2e.test_ballot_pages import LEAVES, pick
from tests.e2e.test_ballot_pages import sign_in as sign_in_phone

SYSTEM = Actor.system("test")
LOCAL = "%Y-%m-%dT%H:%M"
TOWNS = ("城关镇", "河口镇", "山南乡")
CATEGORIES = (("县领导", "30"), ("乡镇干部", "30"), ("群众代表", "40"))


def _fresh_locality(world) -> None:
    world.locality("county-j", "示范县")
    world.user("office-j", "office", "county-j")
    world.user("clerk-j", "office", "county-j")


# English words a Chinese page may show: names of files, formats, programs and settings, the
# language switch, user names, and the rules' names that the
# plugins page gives beside their Chinese.
ALLOWED_LATIN = {
    "English",
    "xlsx",
    "docx",
    "PDF",
    "Word",
    "WPS",
    "CSV",
    "XLSX",
    "JSON",
    "HTTP",
    "SQL",
    "SQLite",
    "PostgreSQL",
    "KAOPING_HOST",
    "KAOPING_BASE_URL",
    "kaoping",
    "serve",
    "http",
    "json",
    "office",
    "clerk",
    "No",
    "ballot_cap",
    "result_quota",
    "unit_quota",
    "trimmed_mean",
    "good_rate",
    "score_rate",
}


def _latin_words(page: Page) -> set[str]:
    """Latin words of three letters or more in the page's visible text and its form controls' options."""
    text = page.evaluate("""() => document.body.innerText + " " +
        [...document.querySelectorAll("option")].map(o => o.textContent).join(" ")""")
    words = set(re.findall(r"[A-Za-z_]{3,}", text))
    plugins = set(page.locator("tr[data-plugin]").evaluate_all("rows => rows.map(r => r.dataset.plugin)"))
    return {w for w in words if w not in ALLOWED_LATIN | plugins and not w.startswith("KAOPING")}


def screenshot(page: Page, name: str, *, settle_ms: int = 0) -> None:
    """A screenshot artefact; a page in Chinese also must not show English words (a missing translation)."""
    if page.locator("html").get_attribute("lang") == "zh-CN":
        assert _latin_words(page) == set(), f"{name}: {sorted(_latin_words(page))}"
    _screenshot(page, name, settle_ms=settle_ms)


def _add_towns(world) -> None:
    """The three towns as units and subjects (the console's units, subjects and import pages make
    them in the browser: tests/e2e/test_console_org_plugins.py)."""
    for index, name in enumerate(TOWNS):
        unit = org.create_unit(world.ctx, SYSTEM, "county-j", UnitIn(code=f"J{index}", name=name))
        subject_service.create_subject(
            world.ctx, SYSTEM, "county-j", SubjectIn(name=name, kind="unit", ref_id=unit.id, category="乡镇")
        )


def _pdf_text(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="测评活动").get_by_role("link", name=name, exact=True).click()


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="菜单").get_by_role("link", name=name).click()


def _enable_plugins(page: Page, shots: Path) -> None:
    _menu(page, "插件")
    page.locator('tr[data-plugin="distribution"]').get_by_role("link").first.click()
    page.get_by_label("为本地区启用").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_be_visible()
    _menu(page, "插件")
    expect(page.locator('tr[data-plugin="distribution"]')).to_contain_text("已启用")
    screenshot(page, "plugins")
    page.locator('tr[data-plugin="ballots"]').get_by_role("link").first.click()
    page.get_by_label(re.compile("双人录入")).check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_be_visible()


def _set_up(page: Page, world, shots: Path) -> None:
    """Create the campaign and go through its setup steps (the indicator template is made when
    the categories step says there is none: tests/e2e/test_template_editor.py builds one in the
    browser; here the API stands in for it)."""
    _menu(page, "测评活动")
    page.get_by_role("link", name="新建测评活动").click()
    page.get_by_label("名称").fill("2026年度民主测评")
    now = datetime.now(ZoneInfo(world.ctx.settings.timezone))
    page.get_by_label("投票开始时间").fill((now - timedelta(days=1)).strftime(LOCAL))
    page.get_by_label("投票结束时间").fill((now + timedelta(days=7)).strftime(LOCAL))
    screenshot(page, "new-campaign")
    page.get_by_role("button", name="创建测评活动").click()
    expect(page.get_by_role("status")).to_contain_text("测评活动已创建")
    # a fresh locality has no subjects yet: the step says where to add them
    expect(page.locator("#no-subjects")).to_contain_text("本地区还没有考核对象")
    expect(page.locator("#no-subjects").get_by_role("link")).to_have_attribute(
        "href", "/admin/localities/county-j/subjects"
    )
    _add_towns(world)
    page.get_by_role("navigation", name="设置步骤").get_by_role("link", name="考核对象").click()
    expect(page.locator("#no-subjects")).to_have_count(0)

    page.get_by_label("考核对象类别").select_option("乡镇")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("button", name="添加符合条件的 3 个考核对象").click()
    expect(page.locator("#campaign-subjects tbody tr")).to_have_count(3)
    screenshot(page, "setup-subjects")

    steps = page.get_by_role("navigation", name="设置步骤")
    steps.get_by_role("link", name="测评主体").click()
    expect(page.locator("#no-templates")).to_contain_text("本地区还没有指标模板")
    expect(page.locator("#no-templates").get_by_role("link", name="请先到“指标模板”中建立模板")).to_have_attribute(
        "href", "/admin/localities/county-j/templates"
    )
    api = world.client(world.user("office-j-api", "office", "county-j"))
    assert api.post("/api/localities/county-j/templates", json=TEMPLATE).status_code == 201
    steps.get_by_role("link", name="测评主体").click()
    expect(page.locator("#no-templates")).to_have_count(0)
    for index, (name, weight) in enumerate(CATEGORIES):
        page.locator(f"#f-c{index}_name").fill(name)
        page.locator(f"#f-c{index}_weight").fill(weight)
        page.locator(f"#f-c{index}_template").select_option(label="民主测评表")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已保存。")
    for index, (name, _) in enumerate(CATEGORIES):
        expect(page.locator(f"#f-c{index}_name")).to_have_value(name)
    screenshot(page, "setup-categories")

    page.get_by_role("link", name="下一步：计分与分布").click()
    # proposed grades by score, typed as the help under the field shows
    expect(page.locator("#f-rule-weighted_mean")).to_be_checked()
    thresholds = page.locator("#f-r_weighted_mean_opt_thresholds")  # a row per grade, no JSON to type
    expect(page.locator('div.rule[data-rule="weighted_mean"]')).to_contain_text("得分达到的第一个等次即为建议等次")
    for row, (grade, lowest) in enumerate([("优秀", "90"), ("称职", "70"), ("基本称职", "60")]):
        thresholds.get_by_label(f"等次 {row + 1}").fill(grade)
        thresholds.get_by_label(f"最低分 {row + 1}").fill(lowest)
    cap = page.locator('div.policy[data-policy="ballot_cap"]').first
    cap.get_by_label(re.compile("每票优秀比例上限")).check()
    # the options of the policy speak Chinese, their choices too
    expect(cap.get_by_label("名额取整方式")).to_have_value("floor")
    expect(cap.get_by_label("名额取整方式").locator("option:checked")).to_have_text("向下取整")
    expect(cap.get_by_label("计算范围").locator("option:checked")).to_have_text("按考核对象类别")
    cap.get_by_label("最高比例").fill("0.34")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已保存。")
    expect(page.locator("#f-d0_use")).to_be_checked()
    screenshot(page, "setup-rules")


def _issue_and_print(page: Page, tmp_path: Path, shots: Path) -> dict[str, list[str]]:
    """Issue accounts per category on the accounts tab and print each category's slips; the codes
    as read from the slips PDF, per category."""
    _tab(page, "账号与票条")
    counts = {"县领导": 2, "乡镇干部": 1, "群众代表": 1}
    for name, count in counts.items():
        row = page.locator(f'#accounts tr[data-category="{name}"]')
        row.locator('input[name="count"]').fill(str(count))
        row.get_by_role("button", name="生成").click()
        expect(page.get_by_role("status")).to_be_visible()
    screenshot(page, "accounts")
    codes: dict[str, list[str]] = {}
    for name, count in counts.items():
        link = page.get_by_role("link", name=f"打印{name}的票条")
        response = page.request.get(urljoin(page.url, link.get_attribute("href")))
        assert response.ok and response.headers["content-type"].startswith("application/pdf")
        pdf = tmp_path / f"slips-{name}.pdf"
        pdf.write_bytes(response.body())
        text = _pdf_text(pdf)
        pages = [p for p in text.split("\f") if p.strip()]
        assert pages and all(f"测评类别：{name}" in p for p in pages), text  # stacks cannot be mixed up
        found = re.findall(r"\b[0-9A-Z]{4}(?:[- ][0-9A-Z]{4}){2,}\b", text)
        assert len(found) >= count, text
        codes[name] = found[:count]
        # the QR codes on the slips open the ballot with the same codes
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / f"slips-{name}")], check=True)
        scanned = subprocess.run(
            ["zbarimg", "--quiet", "--raw", *map(str, sorted(tmp_path.glob(f"slips-{name}*.png")))],
            capture_output=True,
            text=True,
        ).stdout.split()
        plain = {re.sub(r"[- ]", "", code) for code in codes[name]}
        assert plain <= {re.sub(r"[- ]", "", url.rsplit("#", 1)[-1]) for url in scanned}, (scanned, codes[name])
    return codes


def _vote(
    phone,
    world,
    code: str,
    grade: str,
    first: str = "优秀",
    heading: str = "提交成功，感谢您的参与！",
    shots: Path | None = None,
) -> None:
    """An evaluator types the code from the slip on a phone, rates the first subject ``first`` and
    the others ``grade`` on every question, submits and reads ``heading``."""
    page = phone()
    sign_in_phone(page, world.url, code)
    page.wait_for_url("**/b/ballot")
    ids = sorted(
        {int(n.split(":")[1]) for n in page.locator("input[type=radio]").evaluate_all("els => els.map(e => e.name)")}
    )
    assert fits_the_screen(page) and _latin_words(page) == set()
    if shots:
        screenshot(page, "phone-ballot")
    pick(page, {(s, leaf): first if s == ids[0] else grade for s in ids for leaf in LEAVES})
    if grade == "优秀":  # over the cap: the phone says so before the ballot is sent
        expect(page.locator("#caps .cap.over")).to_contain_text("优秀 3/1")
        expect(page.locator("#caps")).to_contain_text("超过此限额的测评表将被记为无效票")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.context.close()


def _turnout(page: Page, category: str, count: str):
    return page.locator(f'#turnout-numbers tr[data-category="{category}"] [data-count="{count}"]')


def _enter_paper(page: Page, code: str, category: str = "乡镇干部") -> None:
    """Pick the slip's category on the paper page, type its code, tick 称职 everywhere, enter it."""
    if page.locator("strong[aria-current=page]").text_content() != category:
        page.get_by_role("link", name=category, exact=True).click()
    page.get_by_label(f"测评卡上的测评码（{category}）").fill(code)
    for radio in page.locator('input[type=radio][value="称职"]').all():
        radio.check()
    page.get_by_role("button", name="录入纸质票").click()


def _download(page: Page, folder: Path, labels: dict[str, str]) -> dict[str, Path]:
    """Click each download link of the results page; the saved files by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = {}
    for kind, label in labels.items():
        with page.expect_download() as info:
            page.locator("#downloads").get_by_role("link", name=label).click()
        saved[kind] = folder / f"file.{kind}"
        info.value.save_as(saved[kind])
    return saved


def test_an_office_runs_a_whole_evaluation_in_the_browser(world, browser, phone, tmp_path):
    _fresh_locality(world)
    shots = tmp_path / "shots"
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, world.url, "office-j")
        page.wait_for_url("**/admin/")
        _enable_plugins(page, shots)
        _set_up(page, world, shots)
        codes = _issue_and_print(page, tmp_path, shots)

        _tab(page, "概览")
        expect(page.locator("#ready")).to_have_text("设置已齐全：测评可以开始。")
        page.get_by_role("button", name="开始测评").click()
        expect(page.locator("#campaign-status")).to_have_text("投票中")
        screenshot(page, "campaign-open")

        # turnout while the phones vote: the numbers change without a reload
        _tab(page, "参评情况")
        expect(_turnout(page, "", "submitted")).to_have_text("0")
        page.evaluate("window.stillTheSamePage = true")
        _vote(phone, world, codes["县领导"][0], "称职", shots=shots)
        _vote(phone, world, codes["县领导"][1], "基本称职")
        # the ballot cap: 优秀 for all three towns (at most one of three) makes a ballot invalid
        _vote(phone, world, codes["群众代表"][0], "优秀", heading="您的测评表已提交，但被记为无效票。")
        expect(_turnout(page, "群众代表", "invalid")).to_have_text("1")
        expect(_turnout(page, "县领导", "submitted")).to_have_text("2")
        expect(_turnout(page, "", "submitted")).to_have_text("3")
        expect(_turnout(page, "", "turnout")).to_have_text("75.0%")
        assert page.evaluate("window.stillTheSamePage") is True
        screenshot(page, "turnout")

        # one paper ballot, double-entered by two clerks
        _tab(page, "纸质票录入")
        # a slip of 乡镇干部 entered on the 县领导 form (the first shown): refused in words, nothing lost
        _enter_paper(page, codes["乡镇干部"][0], "县领导")
        expect(page.get_by_role("alert")).to_contain_text("属于测评人类别“乡镇干部”，请在该类别的录入表中录入")
        expect(page.locator('input[type=radio][value="称职"]').first).to_be_checked()
        _enter_paper(page, codes["乡镇干部"][0])
        expect(page.get_by_role("status")).to_contain_text("第一次录入已保存")
        clerk = browser.new_context(**DESKTOP).new_page()
        clerk.set_default_timeout(15000)
        sign_in(clerk, world.url, "clerk-j")
        clerk.wait_for_url("**/admin/")
        _menu(clerk, "测评活动")
        clerk.get_by_role("link", name="2026年度民主测评").click()
        _tab(clerk, "纸质票录入")
        _enter_paper(clerk, codes["乡镇干部"][0])
        expect(clerk.get_by_role("status")).to_have_text("纸质票已计入。")
        screenshot(clerk, "paper")
        clerk.context.close()
        expect(_turnout(page, "", "submitted")).to_have_count(0)  # the paper page, not the turnout
        _tab(page, "参评情况")
        expect(_turnout(page, "", "turnout")).to_have_text("100.0%")

        # close, tally
        _tab(page, "概览")
        page.get_by_role("link", name="结束测评…").click()
        screenshot(page, "close")
        page.get_by_role("button", name="确认结束测评").click()
        expect(page.locator("#campaign-status")).to_have_text("已结束")
        page.get_by_role("button", name="计票").click()
        expect(page.get_by_role("status")).to_have_text("已完成计票。")
        page.get_by_role("link", name="查看结果").click()
        ranking = page.locator("table.ranking tbody tr")
        expect(ranking).to_have_count(3)
        expect(ranking.first).to_contain_text("87.50")
        expect(ranking.first).to_contain_text("称职")
        bars = page.locator('div.chart[data-chart="chart-ranking-1"]')
        expect(bars.locator("canvas").first).to_be_visible()
        # the bars start at 0, so their lengths compare like the scores
        assert (
            bars.evaluate(
                "el => echarts.getInstanceByDom(el).getModel().getComponent('xAxis', 0).axis.scale.getExtent()[0]"
            )
            == 0
        )
        screenshot(page, "results-ranking", settle_ms=1000)  # the chart's opening animation
        page.get_by_role("link", name=TOWNS[0]).first.click()
        radar = page.locator('div.chart[data-chart="chart-radar"]')
        expect(radar.locator("canvas").first).to_be_visible()
        drawn = radar.evaluate("el => echarts.getInstanceByDom(el).getOption().radar[0].indicator.map(i => i.name)")
        assert drawn == ["政治品德", "职业道德", "工作实绩"]  # the overall rating is not an axis
        indicators = page.locator("#indicator-table tbody tr")
        expect(indicators.first).to_contain_text("政治品德")
        expect(indicators.first).to_contain_text("90.00")
        page.get_by_label("等次", exact=True).select_option("优秀")
        page.get_by_label("理由（必填，随结果保存并记入审计日志）").fill("年度表现突出，经党委研究调整")
        page.get_by_role("button", name="调整等次").click()
        expect(page.get_by_role("status")).to_have_text("等次已调整，理由已记录。")
        screenshot(page, "results-subject")
        _tab(page, "结果")
        page.get_by_role("button", name="发布结果").click()
        expect(page.get_by_role("status")).to_be_visible()
        screenshot(page, "results-published")
        files = _download(
            page,
            tmp_path / "zh",
            {
                "xlsx": "测评结果表（.xlsx）",
                "pdf": "呈报党委的结果报告（PDF）",
                "docx": "可在 Word 或 WPS 中编辑的报告（.docx）",
            },
        )

        # once in English: the header's language switch, the same pages, English downloads
        page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
        tabs = page.get_by_role("navigation", name="Campaign")
        expect(tabs.get_by_role("link")).to_have_text(
            ["Overview", "Setup", "Results", "Accounts and slips", "Turnout", "Paper ballots"]
        )
        expect(page.locator("table.ranking thead")).to_contain_text("Score")
        expect(page.locator('div.chart[data-chart="chart-ranking-1"] canvas').first).to_be_visible()
        screenshot(page, "results-en", settle_ms=1000)  # the chart's opening animation
        english = _download(
            page, tmp_path / "en", {"xlsx": "Results workbook (.xlsx)", "pdf": "Report for the party committee (PDF)"}
        )
        tabs.get_by_role("link", name="Setup").click()
        page.get_by_role("navigation", name="Setup steps").get_by_role("link", name="Scoring and distribution").click()
        expect(page.locator("#f-d0_opt_rounding option:checked")).to_have_text("rounded down")
        tabs.get_by_role("link", name="Overview").click()
        expect(page.locator("#campaign-status")).to_have_text("Published")
        screenshot(page, "overview-en")
    finally:
        context.close()
    _check_files(files, english)


def _check_files(files: dict[str, Path], english: dict[str, Path]) -> None:
    """The downloads carry the published numbers: 城关镇 first with 87.50 (leaders 95, cadres 80,
    the public's only ballot invalid), adjusted to 优秀 with its reason; the ties share rank 2."""
    book = load_workbook(files["xlsx"])
    assert book.sheetnames == ["结果", "参评率", "指标得分"]
    rows = list(book["结果"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:9] == (
        "对象编号",
        "考核对象",
        "考核对象类别",
        "名次",
        "得分",
        "建议等次",
        "最终等次",
        "调整理由",
        "标记",
    )
    assert [(r[1], r[3], r[4], r[6]) for r in rows[1:]] == [
        ("城关镇", 1, 87.5, "优秀"),
        ("河口镇", 2, 76.25, "称职"),
        ("山南乡", 2, 76.25, "称职"),
    ]
    assert [r[5] for r in rows[1:]] == ["称职", "称职", "称职"]
    assert rows[1][7] == "年度表现突出，经党委研究调整"
    turnout = list(book["参评率"].iter_rows(values_only=True))
    assert turnout[-1] == ("合计", 4, 4, 3, 1, 100)

    text = _pdf_text(files["pdf"])
    flat = re.sub(r"\s+", "", text)
    assert "2026年度民主测评结果报告" in flat and "结果状态：已公布" in flat
    assert "测评主体已发放账号已提交有效票无效票参评率（%）" in flat
    assert "名次考核对象得分建议等次最终等次标记调整理由" in flat
    assert re.search(r"1\s+城关镇\s+87\.50\s+称职\s+优秀", text)
    assert "等次分布规则：每票优秀比例上限" in flat and "最多占：34%" in flat
    pages = text.count("\f")
    assert pages >= 4 and f"第{pages}页共{pages}页" in flat and f"第2页共{pages}页" in flat

    report = docx.Document(str(files["docx"]))
    assert report.core_properties.title == "2026年度民主测评结果报告"
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in report.tables]
    ranking = next(t for t in tables if t[0][:3] == ["名次", "考核对象", "得分"])
    assert ranking[1][:3] == ["1", "城关镇", "87.50"] and ranking[1][3:5] == ["称职", "优秀"]
    paragraphs = "\n".join(p.text for p in report.paragraphs)
    assert "年度表现突出，经党委研究调整" in paragraphs

    english_book = load_workbook(english["xlsx"])
    assert english_book.sheetnames == ["Results", "Turnout", "Indicators"]
    assert next(english_book["Results"].iter_rows(values_only=True))[1] == "Subject"
    english_text = re.sub(r"\s+", " ", _pdf_text(english["pdf"]))
    assert "Turnout" in english_text and "Page 2 of" in english_text
