"""The dashboard page and the workbook of a publication, opened in a real browser (Debian's chromium) and openpyxl.

Rep names in the sample are replaced by hostile CRM strings (a synthetic one always, real ones from
the real Apex recipes export (tests/realdata.py) when present) before the warehouse is built, so they travel the whole
way: export → marts → frozen section → page and workbook.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.publish.charts import CHARTS
from pipelines.lib.publish.dashboard import HEADLINE, Frozen, load, write_page
from pipelines.lib.publish.formats import fmt, kpi_kind, label
from pipelines.lib.publish.sections import SECTIONS, mart_columns, resolve
from pipelines.lib.sample import generate
from pipelines.lib.settings import export_paths, resolve_paths
from tests.integration.conftest import SAMPLE_END, Built
from tests.realdata import REALDATA

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
APEX = REALDATA / "salesforce_apex_recipes" / "Opportunities.csv"
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
SYNTHETIC = '=HYPERLINK("http://evil.example/x","Click") <script>window.__pwned=1</script> 😀 שלום'
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def realdata_hostile() -> list[str]:
    """Opportunity fields of the Apex recipes that a spreadsheet or a page would misread (formula, markup)."""
    if not APEX.exists():
        return []
    with APEX.open(encoding="utf-8", newline="") as handle:
        values = {v for row in csv.DictReader(handle) for v in row.values() if v}
    return sorted(v for v in values if v.startswith(FORMULA_TRIGGERS) or "<" in v)[:4]


HOSTILE = [SYNTHETIC, *realdata_hostile()]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Built, Path]:
    root = tmp_path_factory.mktemp("dashboard")
    inbox = root / "inbox"
    export_dir = inbox / "salesforce" / SAMPLE_END.isoformat()
    generate(export_dir, scale=600, seed=3, end_date=SAMPLE_END)
    users = export_dir / "User.csv"
    with users.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reps = [r for r in rows if r["ManagerId"]]
    for rep, name in zip(reps, HOSTILE, strict=False):
        rep["Name"] = name
    with users.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    paths = resolve_paths(
        inbox=inbox, warehouse=root / "warehouse.duckdb", publish_dir=root / "published", rejected_dir=root / "rej"
    )
    export_paths(paths)
    refresh_warehouse()
    result = CliRunner().invoke(app, ["publish", "monthly", "--period", "2026-06"])
    assert result.exit_code == 0, result.output
    folder = paths.publish_dir / "monthly" / "2026-06" / "v1"
    return Built(inbox=inbox, warehouse=paths.warehouse, export_dir=export_dir), folder


def kpi_rows(folder: Path) -> list[dict]:
    with duckdb.connect() as con:
        cursor = con.execute(f"select * from '{folder / 'kpi.parquet'}' order by scope, scope_id, kpi")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def expected_sections(warehouse: Path) -> dict[str, bool]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        available = mart_columns(con)
    return {s.name: resolve(s, available) is not None for s in SECTIONS}


def test_publication_lists_page_workbook_and_sections(published: tuple[Built, Path]) -> None:
    built, folder = published
    sections = expected_sections(built.warehouse)
    written = {p.stem for p in (folder / "sections").glob("*.parquet")}
    assert written == {name for name, ok in sections.items() if ok}
    assert {"revenue_trend", "rep_performance", "funnel_by_source", "open_pipeline"} <= written
    index = (folder.parents[2] / "index.html").read_text(encoding="utf-8")
    assert (
        'href="monthly/2026-06/v1/index.html"' in index and 'href="monthly/2026-06/v1/monthly-2026-06-v1.xlsx"' in index
    )
    with duckdb.connect() as con:
        trend = con.execute(
            f"select period_start, revenue from '{folder / 'sections' / 'revenue_trend.parquet'}'"
        ).fetchall()
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        mart = con.execute(
            "select period_start, revenue from marts.sales_by_period where grain = 'month' "
            "and period_start between '2025-06-01' and '2026-06-01' order by period_start"
        ).fetchall()
    assert trend == mart and len(trend) == 13 and trend[-1][0] == date(2026, 6, 1)


def test_workbook_matches_the_snapshot_and_keeps_crm_text_as_text(published: tuple[Built, Path]) -> None:
    _, folder = published
    book = openpyxl.load_workbook(folder / "monthly-2026-06-v1.xlsx")
    assert book.sheetnames[:2] == ["README", "KPIs"]
    sheet = book["KPIs"]
    assert sheet.freeze_panes == "A2"
    rows = kpi_rows(folder)
    names = {label(c): c for c in [*rows[0], "change_pt", "definition"]}  # headers in words, as on the page
    header = [names[c.value] for c in sheet[1]]
    cells = sorted(
        (dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=2)),
        key=lambda r: (r["scope"], r["scope_id"], r["kpi"]),
    )
    assert len(cells) == len(rows) > 20
    for cell, row in zip(cells, rows, strict=True):
        assert (cell["scope"], cell["scope_id"], cell["kpi"]) == (row["scope"], row["scope_id"], row["kpi"])
        assert (cell["actual"] is None) == (row["actual"] is None)
        if row["actual"] is not None:
            assert round(cell["actual"], 6) == float(row["actual"]), row
    reps = book["Rep performance"]
    names = {c.value: c for c in next(reps.iter_cols(min_col=2, max_col=2, min_row=2))}
    for hostile in HOSTILE:
        assert names[hostile].data_type == "s"
        assert names[hostile].quotePrefix == hostile.startswith(FORMULA_TRIGGERS)


def browser_page(path: Path, artifact: str):  # noqa: ANN201 (playwright types are optional)
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith("file:") else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / artifact
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    return manager, browser, page, problems


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)"
)
def test_page_in_chromium_shows_the_snapshot(published: tuple[Built, Path]) -> None:
    built, folder = published
    manager, browser, page, problems = browser_page(folder / "index.html", "monthly-2026-06-v1.png")
    try:
        assert problems == []
        assert page.evaluate("typeof window.__pwned") == "undefined"
        # Headline cards and the scorecard show the frozen values, formatted for people.
        company = {r["kpi"]: r for r in kpi_rows(folder) if r["scope"] == "company"}
        cards = page.locator("#headline .kpi")
        assert cards.count() == len([k for k in HEADLINE if k in company]) >= 6
        for i in range(cards.count()):
            key = cards.nth(i).get_attribute("data-kpi")
            actual = company[key]["actual"]
            assert cards.nth(i).locator(".value").inner_text() == fmt(actual, kpi_kind(company[key]))
            assert cards.nth(i).get_attribute("data-value") == ("" if actual is None else str(actual))
        for key, row in company.items():
            shown = page.locator(f'#scorecard tr[data-kpi="{key}"] td.actual').inner_text()
            assert shown == fmt(row["actual"], kpi_kind(row))
        assert fmt(company["revenue"]["actual"], "currency").startswith("$") and "," in fmt(
            company["revenue"]["actual"], "currency"
        )
        # Every chart of every frozen section drew marks; every missing mart says so instead.
        for name, available in expected_sections(built.warehouse).items():
            section = page.locator(f"section#{name}")
            if not available:
                assert "Not available in this publication" in section.inner_text()
                continue
            plots = section.locator(".plotly-graph-div")
            assert plots.count() == len(CHARTS[name]), name
            for i in range(plots.count()):
                marks = plots.nth(i).locator("svg.main-svg g.trace path, svg.main-svg g.trace image, .hm image")
                assert marks.count() > 0, f"{name} chart {i} drew nothing"
        # Hostile CRM names are shown as text, never run.
        rep_text = page.locator("section#rep_performance table").inner_text()
        for hostile in HOSTILE:
            assert hostile.strip() in rep_text
        source = (folder / "index.html").read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in source and "&lt;script&gt;window.__pwned" in source
        # Printable: on A4 landscape no table is wider than its section, and the PDF has a sane page count.
        page.set_viewport_size({"width": 1032, "height": 700})
        page.emulate_media(media="print")
        too_wide = page.evaluate(
            "[...document.querySelectorAll('section table')]"
            ".filter(t => t.scrollWidth > t.closest('section').clientWidth + 1).map(t => t.closest('section').id)"
        )
        assert too_wide == []
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        (ARTIFACTS / "monthly-2026-06-v1.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and 3 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 40
    finally:
        browser.close()
        manager.stop()


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)"
)
def test_index_page_links_every_publication(published: tuple[Built, Path]) -> None:
    _, folder = published
    manager, browser, page, problems = browser_page(folder.parents[2] / "index.html", "index.png")
    try:
        assert problems == []
        rows = page.locator("#monthly tr.publication")
        assert rows.count() == 1 and rows.first.get_attribute("data-period") == "2026-06"
        page.locator('#monthly a:has-text("2026-06")').click()
        page.wait_for_load_state("load")
        assert page.url == (folder / "index.html").as_uri()
        assert page.locator("h1").inner_text() == "Sales performance · June 2026"
    finally:
        browser.close()
        manager.stop()


def test_a_missing_mart_is_a_note_not_a_crash(published: tuple[Built, Path], tmp_path: Path) -> None:
    built, folder = published
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        available = mart_columns(con)
    by_name = {s.name: s for s in SECTIONS}
    # Without pipeline_snapshot the open pipeline comes from rep_performance; a mart short of a column is skipped.
    fallback = resolve(by_name["open_pipeline"], {k: v for k, v in available.items() if k != "pipeline_snapshot"})
    assert fallback is not None and fallback.mart == "rep_performance"
    assert resolve(by_name["customer_retention"], {"customer_retention": {"period_start"}}) is None
    assert resolve(by_name["cohort_retention"], {}) is None
    copy = tmp_path / "v1"
    shutil.copytree(folder, copy)
    for name in ("customer_retention", "cohort_retention", "open_pipeline"):
        (copy / "sections" / f"{name}.parquet").unlink(missing_ok=True)
    meta = {"grain": "monthly", "version": 1, "snapshot_id": "monthly-2026-06-v1", "source": "test"}
    page = write_page(copy, label_="2026-06", workbook="x.xlsx", published_at=datetime(2026, 7, 1), **meta)
    html = page.read_text(encoding="utf-8")
    for name in ("customer_retention", "cohort_retention", "open_pipeline"):
        block = html.split(f'<section id="{name}"')[1].split("</section>")[0]
        assert "Not available in this publication" in block and "plotly-graph-div" not in block
    block = html.split('<section id="revenue_trend"')[1].split("</section>")[0]
    assert "plotly-graph-div" in block and "Not available" not in block


PAGE_ARTIFACTS = ROOT / "test-artifacts" / "page"
# Every text of every chart (tick labels, bar texts, legends) and every card value, with its box against its frame.
LAYOUT_PROBLEMS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('#headline .kpi, #headline .kpi .value')) {
    const kpi = el.closest('.kpi').dataset.kpi;
    if (el.scrollWidth > el.clientWidth) out.push(`overflow ${kpi}: ${el.textContent.trim()}`);
  }
  for (const plot of document.querySelectorAll('.plotly-graph-div')) {
    const frame = plot.getBoundingClientRect();
    for (const t of plot.querySelectorAll('svg text')) {
      const box = t.getBoundingClientRect();
      if (!t.textContent.trim() || box.width === 0 || getComputedStyle(t).display === 'none') continue;
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1
          || box.bottom > frame.bottom + 1) out.push(`clipped in ${plot.id}: ${t.textContent}`);
    }
  }
  return out;
}"""


def with_large_figures(folder: Path, copy: Path) -> Path:
    """The publication re-rendered with the figures of a large company (the revenue card of issue 15)."""
    shutil.copytree(folder, copy)
    frozen = load(copy)
    large = {"revenue": Decimal("17440729.45"), "avg_deal_size": Decimal("1234567.89"), "deals_won": Decimal(123456)}
    kpis = [
        r | {"actual": large[r["kpi"]]} if r["scope"] == "company" and r["kpi"] in large else r for r in frozen.kpis
    ]
    meta = {"grain": "monthly", "version": 1, "snapshot_id": "monthly-2026-06-v1", "source": "marts.kpi_scorecard"}
    return write_page(copy, Frozen(kpis, frozen.sections), label_="2026-06", workbook="x.xlsx",
                      published_at=datetime(2026, 7, 1), **meta)  # fmt: skip


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)"
)
@pytest.mark.parametrize("width", [1400, 390])
def test_values_fit_their_cards_and_no_label_is_clipped(
    published: tuple[Built, Path], tmp_path: Path, width: int
) -> None:
    """A desktop and a phone: every card value fits its card and no chart text runs past its chart's edge, on the
    publication and on a copy with a large company's figures ($17,440,729 of revenue)."""
    _, folder = published
    large = with_large_figures(folder, tmp_path / "v1")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            PAGE_ARTIFACTS.mkdir(parents=True, exist_ok=True)
            problems = {}
            for name, path in (("sample", folder / "index.html"), ("large", large)):
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(PAGE_ARTIFACTS / f"after-{name}-{width}.png"), full_page=True)
                problems[name] = page.evaluate(LAYOUT_PROBLEMS)
            assert problems == {"sample": [], "large": []}
            assert page.locator('#headline .kpi[data-kpi="revenue"] .value').inner_text() == "$17,440,729"
        finally:
            browser.close()
