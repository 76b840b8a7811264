"""bench/harness.py's judging and reporting (the measuring itself runs in `harness.py --smoke`):
a cancelled page is a miss with the time it was cancelled at, a ratio is judged against its target,
and the report replaces its own section of docs/benchmarks.md, leaving the rest."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("bench_harness", ROOT / "bench" / "harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_cancelled_page_is_a_miss_with_the_time_it_was_cancelled_at(harness):
    compared = {"times": {"large": [], "small": [0.1, 0.2, 0.3]}, "cancelled": {"large": 120.4}}
    result = harness.page_metric("/ overview", compared, "large", "small", 1.5, "≤ 1.5", 120)
    assert result["pass"] is False and result["ratio"] is None and result["value"] is None
    assert result["reference"] == 0.2
    assert "cancelled on the large database after 120.4 s (timeout 120 s)" in result["notes"]


@pytest.mark.parametrize(("large", "passed"), [(0.3, True), (0.31, False)])
def test_a_ratio_against_its_target(harness, large, passed):
    compared = {"times": {"large": [large] * 5, "small": [0.2] * 5}, "cancelled": {}}
    result = harness.page_metric("/pledges/", compared, "large", "small", 1.5, "≤ 1.5", 120)
    assert (result["ratio"], result["pass"]) == (round(large / 0.2, 3), passed)


def test_the_report_replaces_its_own_section(harness, tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nWhat the data are.\n")
    info = {"date": "2026-12-03", "cores": 2, "ram_gb": 24, "postgresql": "PostgreSQL 15", "pledges": 20000,
            "small": 10000, "runs": 5, "seconds": 100}  # fmt: skip
    first = [harness.metric("status change", 31, None, None, "≤ 12", False, "statements")]
    harness.write_report(first, info, doc)
    harness.write_report([{**first[0], "value": 9, "pass": True}], info, doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nWhat the data are.\n")
    assert text.count(harness.MARK_BEGIN) == 1
    assert "| status change | 9 | — | — | ≤ 12 | yes | statements |  |" in text
    assert "| 31 |" not in text


def test_the_export_server_takes_start_webs_gunicorn_options(harness, tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "start-web").write_text(
        "#!/bin/sh\npython manage.py migrate --no-input\nexec gunicorn tracker.wsgi:application "
        '--bind "0.0.0.0:${PORT:-8000}" --workers 3 --timeout 0 -c gunicorn.conf.py --access-logfile -\n'
    )
    monkeypatch.setattr(harness, "ROOT", tmp_path)
    assert harness.start_web_options() == ["--timeout", "0", "-c", "gunicorn.conf.py"]
