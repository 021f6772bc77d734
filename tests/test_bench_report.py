"""The benchmark report judges DESIGN.md's targets from the figures it is given.

``scripts/bench/report.py`` turns a run's results into the table, the targets
and the plot; these examples feed it figures on either side of each bound.
"""

from typing import Any

import pytest

from .bench_scripts import load


@pytest.fixture(scope="module")
def report() -> Any:
    return load("report")


def _variant(rps: float, p50: float = 10.0, p99: float = 20.0) -> dict[str, Any]:
    figures = {"rps": rps, "p50_ms": p50, "p90_ms": p50, "p99_ms": p99, "errors": 0}
    return {"closed": {**figures, "runs": []}, "fixed_rate": {**figures, "runs": []}}


def _results(*, orderly_list: float, place: float, oversold: int) -> dict[str, Any]:
    def scenario(floor: float, orderly: float, naive: float) -> dict[str, Any]:
        return {
            "title": "t",
            "paths": {},
            "floor": _variant(floor),
            "orderly": _variant(orderly),
            "naive": _variant(naive),
        }

    attack = {"oversold": oversold, "lost_updates": 0, "stock_before": 100}
    attack |= {"requests": 300, "non_2xx": 200}
    return {
        "started": "2026-11-23T00:00:00+00:00",
        "quick": True,
        "machine": {
            "cpu": "cpu",
            "cores": 2,
            "memory_gib": 24,
            "python": "3.11",
            "postgresql": "15.2 (Debian)",
            "redis": "Redis server v=7.0.15 sha=0",
            "wrk": "wrk 4.1.0 [epoll]",
        },
        "settings": {
            "workers": 4,
            "connections": 16,
            "seconds": 1,
            "warmup": 1,
            "rounds": 1,
            "fixed_rates": {"order_list": 50},
            "database": "db",
            "orders": 10,
        },
        "seed_seconds": None,
        "queries": {"order_list": {"orderly": 3}, "order_list_deep": {"orderly": 3}},
        "scenarios": {
            "order_list": scenario(1000, orderly_list, 50),
            "order_list_deep": scenario(1000, orderly_list, 5),
            "order_place": scenario(300, place, 60),
            "product_list_hit": scenario(1000, 800, 100),
        },
        "attack": {
            "attack": {
                v: {**attack, "units_sold": 100 + oversold, "stock_after": 0}
                for v in ("floor", "orderly", "naive")
            },
            "ledger_drift": {"floor": [], "orderly": [], "naive": ["x"]},
        },
        "worker_rss_mb": {"orderly": [90.0, 95.0]},
        "report_build_seconds": 0.5,
    }


def _met(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["target"]: row["met"] for row in rows}


def test_figures_inside_every_bound_meet_every_target(report):
    met = _met(report.targets(_results(orderly_list=500, place=200, oversold=0)))
    assert len(met) == 12
    assert all(met.values()), met


def test_each_figure_outside_its_bound_is_reported_missed(report):
    rows = report.targets(_results(orderly_list=100, place=120, oversold=3))
    met = _met(rows)
    assert met["Order list throughput vs floor"] is False  # 0.1 x the floor
    assert met["Order list throughput vs naive"] is False  # 2 x the naive
    assert met["Placement throughput, 16 clients"] is False
    assert met["Oversold units under attack"] is False
    assert met["Cached product list vs floor"] is True
    figure = next(r for r in rows if r["target"] == "Order list throughput vs floor")
    assert figure["value"] == pytest.approx(0.1)
    assert report.shortfall(figure) == "25% of the bound"
    placement = next(r for r in rows if r["target"] == "Oversold units under attack")
    assert report.shortfall(placement) == "3 over"


def test_the_report_is_written_as_markdown_json_and_a_plot(report, tmp_path):
    paths = report.write_report(
        _results(orderly_list=500, place=200, oversold=0), tmp_path
    )
    assert [p.name for p in paths] == [
        "2026-11-23-quick.md",
        "2026-11-23-quick.json",
        "2026-11-23-quick.png",
    ]
    text = paths[0].read_text()
    assert "| Order list throughput vs floor | 0.50 x | ≥ 0.40 x | yes |  |  |" in text
    assert paths[2].read_bytes().startswith(b"\x89PNG")
