"""The HTML report in a real headless browser: it renders, shows its charts, and fetches nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from policyeval import evaluate_case
from policyeval.report import build_report, render_html

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # Every request that is not to loopback goes to a closed port, so none can succeed.
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--enable-logging=stderr",
    "--v=0",
]


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    reason = "no headless Chromium installed (looked for chromium, chromium-browser, google-chrome)"
    if os.environ.get("POLICYEVAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"POLICYEVAL_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _run(browser: str, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def _page_requests(net_log: Path) -> list[str]:
    """URLs of requests the page started (the browser's own housekeeping has no initiator)."""
    document = json.loads(net_log.read_text(encoding="utf-8"))
    start = document["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    assert document["events"], "the net log recorded nothing"
    return sorted(
        event["params"]["url"]
        for event in document["events"]
        if event.get("type") == start
        and "url" in event.get("params", {})
        and event["params"].get("initiator") != "not an origin"
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, str, str]:
    browser = _browser()
    result = evaluate_case(EXAMPLE)
    folder = tmp_path_factory.mktemp("browser")
    page = folder / "serang_2024.html"
    page.write_text(render_html(result, lang="en"), encoding="utf-8")
    net_log = folder / "net-log.json"
    dump = _run(browser, page, "--dump-dom", f"--log-net-log={net_log}")
    assert dump.returncode == 0, dump.stderr[-2000:]
    return dump.stdout, net_log, dump.stderr, browser


def test_page_loads_without_console_errors_or_requests(
    rendered: tuple[str, Path, str, str],
) -> None:
    """The report loads with no console message and starts no request of its own."""
    dom, net_log, log, _ = rendered
    assert "</html>" in dom
    assert re.findall(r"CONSOLE.*", log) == []
    assert _page_requests(net_log) == []


def test_dom_shows_the_verdict_and_every_dimension(rendered: tuple[str, Path, str, str]) -> None:
    """The rendered page holds the verdict and every dimension label."""
    dom = rendered[0]
    model = build_report(evaluate_case(EXAMPLE), lang="en")
    unit = model.units[0]
    assert unit.verdict.level_text == "Fair"
    assert unit.verdict_sentence.replace("'", "&#39;") in dom or unit.verdict_sentence in dom
    for row in unit.top:
        assert row.label in dom


def test_charts_render_as_non_empty_svg(rendered: tuple[str, Path, str, str]) -> None:
    """Every chart is in the DOM as SVG with a title and drawn children."""
    dom = rendered[0]
    charts = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(charts) == 4
    for chart in charts:
        assert "<title" in chart and "<desc" in chart
        assert len(re.findall(r"<(?:rect|polygon|path|circle|line|text)\b", chart)) >= 5


def test_screenshot_is_not_blank(rendered: tuple[str, Path, str, str], tmp_path: Path) -> None:
    """A full-width screenshot of the report is saved as a test artefact and is not blank."""
    browser = rendered[3]
    page = tmp_path / "serang_2024.html"
    page.write_text(render_html(evaluate_case(EXAMPLE), lang="en"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "serang_2024_report.png"
    screenshot.unlink(missing_ok=True)
    shot = _run(browser, page, f"--screenshot={screenshot}", "--window-size=1280,4000")
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 100_000
