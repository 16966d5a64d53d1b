"""The benchmark scripts run on tiny sizes, so they keep working as the code under them changes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_benchmark_runs_tiny() -> None:
    out = _load("bench_coverage").run(tiny=True)
    face = out["full_face_roller_16"]
    assert face["rounds"] == 1
    assert face["punctures_in_zone"] > 0
    assert face["measure_ms"] > 0
    assert face["kdtree_build_and_query_ms"] > 0
    assert face["measure_to_kdtree_ratio"] > 0
    cli = out["cli_full_face_roller_16"]
    assert set(cli) == {"rounds", "bare_numpy_matplotlib_ms", "cli_full_face_16_with_heatmap_ms", "cli_beyond_bare_ms"}


def test_export_benchmark_runs_tiny() -> None:
    psycopg = pytest.importorskip("psycopg")
    module = _load("export_bench")
    try:
        psycopg.connect(module.PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {module.PG_URL}: {str(exc).splitlines()[0]}")
    out = module.run(tiny=True)
    assert (out["small"]["sessions"], out["large"]["sessions"], out["sessions_ratio"]) == (60, 120, 2.0)
    for size in ("small", "large"):
        for fmt in ("fhir_r5", "zip"):
            assert out[size][fmt]["seconds"] > 0
            assert out[size][fmt]["peak_rss_mb"] > 0
    assert out["fhir_r5_rss_ratio"] < 1.5
    assert out["zip_rss_ratio"] < 1.5


def test_lot_benchmark_runs_tiny() -> None:
    psycopg = pytest.importorskip("psycopg")
    module = _load("lot_bench")
    url = module._export_bench().PG_URL
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {url}: {str(exc).splitlines()[0]}")
    out = module.run(tiny=True)
    assert (out["zone_uses"], out["lots"], out["rows"], out["queries"]) == (100, 100, 1, 1)
    assert out["median_ms"] > 0


def test_scale_benchmark_names_are_unique_and_the_searched_name_words_find_one_client() -> None:
    module = _load("scale_pg")
    # 40,000 surnames of three syllables, each spelled once (so a full name is its two parts)
    assert len({module.name_of(g)[1] for g in range(module.SURNAMES)}) == module.SURNAMES == 40_000
    assert len(set(module.FIRST)) == len(module.FIRST) == 100
    # the build at a million clients numbers 1,030,000 (three other clinics of 10,000 after the Scale clinic)
    built = module.LARGE + module.OTHER_CLINICS * module.LARGE // 100
    names = [" ".join(module.name_of(g)) for g in range(1, built + 1)]
    assert len(set(names)) == built
    # the searched client (the 500th booked one) is the only one of her clinic whose name holds both
    # words, in any case and anywhere in the name, as the search reads them
    for clients, g, name in ((module.SMALL, 500, "Ada Babkerce"), (module.LARGE, 500_000, "Sophie Lovebeldale")):
        first, surname = module.name_of(g)
        assert f"{first} {surname}" == name
        words = (surname.lower(), first.lower())
        assert [n for n in names[:clients] if all(w in n.lower() for w in words)] == [name], clients


def test_scale_benchmark_runs_tiny(tmp_path: Path) -> None:
    psycopg = pytest.importorskip("psycopg")
    module = _load("scale_pg")
    try:
        psycopg.connect(module.PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {module.PG_URL}: {str(exc).splitlines()[0]}")
    out = module.run(tiny=True, out=tmp_path, keep=True)
    spec = json.loads((tmp_path / "large-spec.json").read_text())
    kept = spec["database"]
    try:
        # the SQL names the clients as name_of does, numbered on across the Scale clinic (240) and the
        # three other clinics (10 each), every name once
        with psycopg.connect(module.PG_URL.rsplit("/", 1)[0] + "/" + kept) as con:
            rows = con.execute(
                "SELECT full_name FROM clients_client WHERE organization_id >= %s ORDER BY id", [spec["org"]]
            ).fetchall()
        assert [r[0] for r in rows] == [" ".join(module.name_of(g)) for g in range(1, 271)]
        (tmp_path / "figures.json").write_text(json.dumps(out))
        again = module.again(tmp_path, repeat=1, clients=60)  # the kept large size between two small ones
    finally:
        admin = psycopg.connect(module.PG_URL, autocommit=True, connect_timeout=3)
        admin.execute(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)')
        admin.close()
    assert again["large"]["build_seconds"] == out["large"]["build_seconds"]
    assert set(again["ratios"]) == set(out["ratios"])
    for page, figures in again["small"]["pages"].items():
        assert figures["median_ms"] == round((figures["before_ms"] + figures["after_ms"]) / 2, 1), page
        assert again["large"]["pages"][page]["queries"] == out["large"]["pages"][page]["queries"], page
    small, large = out["small"], out["large"]
    assert (small["clients"], small["sessions"], large["clients"], large["sessions"]) == (60, 600, 240, 2400)
    pages = set(small["pages"])
    assert pages == set(out["ratios"]) == {
        "client_list", "client_list_page_2", "search_name_words", "search_phone_digits", "search_email_part",
        "timeline", "dashboard", "lot_search",
    }  # fmt: skip
    for page in pages:
        assert small["pages"][page]["queries"] == large["pages"][page]["queries"], page
        assert small["pages"][page]["median_ms"] > 0
    assert (small["pages"]["client_list"]["count_text"], large["pages"]["client_list"]["count_text"]) == (
        "60 clients",
        "240 clients",
    )
    assert large["pages"]["client_list_page_2"]["shown"] == 50
    for search in ("search_name_words", "search_phone_digits", "search_email_part"):
        assert (large["pages"][search]["shown"], large["pages"][search]["count_text"]) == (1, "1 client"), search
    # every tenth client has an electrolysis course of six sessions; every fifth course under way has
    # its sixth session today (so 1 of 6 courses at 60 clients, 4 of 24 at 240), the others are due
    assert (small["electrolysis_courses"], small["electrolysis_sessions"]) == (6, 36)
    assert (large["electrolysis_courses"], large["electrolysis_sessions"]) == (24, 144)
    assert (small["pages"]["dashboard"]["electrolysis_today"], large["pages"]["dashboard"]["electrolysis_today"]) == (
        1,
        4,
    )
    assert small["pages"]["dashboard"]["electrolysis_due"] > 0
    assert large["pages"]["dashboard"]["electrolysis_due"] > 0
    dashboard = (tmp_path / "large-dashboard.txt").read_text()
    assert "electrolysis_session" in dashboard
    assert "electrolysis_course" in dashboard
    plan = (tmp_path / "large-search_name_words.txt").read_text()
    assert "organization_id = " in plan
    assert "Execution Time" in plan
    assert len(list(tmp_path.glob("*.txt"))) == 2 * len(pages)
