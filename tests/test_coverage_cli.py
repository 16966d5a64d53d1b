"""`pinpoint coverage`: JSON contract, pictures, recommendations and one-line errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from pinpoint.core.coverage import geometry_of, make_treatment, needling_device, recommend_passes
from pinpoint.core.coverage.geometry import RollerGeometry
from pinpoint.core.errors import InputError
from pinpoint.evidence import Evidence
from tests.cli_helpers import cli, cli_json

PINPOINT = Path(sys.executable).parent / "pinpoint"




def test_simulate_json_has_the_metrics_with_units_and_echoes_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(
        capsys, "coverage", "simulate", "--device", "roller_192_150", "--passes", "8", "--directions", "h,v",
        "--area-cm2", "40", "--speed-cm-s", "4", "--seed", "3", "--gap-r-mm", "0.7",
    )
    assert data["inputs"] == {
        "device": "roller_192_150", "kind": "roller", "passes": 8, "directions": ["h", "v"], "pattern": "lines",
        "zone": None, "area_cm2": 40.0, "speed_cm_s": 4.0, "lateral_jitter_mm": 0.5, "angle_jitter_deg": 5.0,
        "capture_radius_mm": 0.0, "seed": 3,
    }
    for key in ("density_per_cm2", "largest_gap_mm", "rehit_fraction", "seconds", "gap_fraction", "density_cv"):
        assert key in data["units"], key
    assert data["passes"] == 8
    assert data["passes_per_direction"] == {"h": 4, "v": 4}
    assert data["gap_fraction"]["r_mm"] == 0.7
    assert 0 < data["gap_fraction"]["value"] < 1
    assert data["density_per_cm2"] == pytest.approx(8 * 15.279, rel=0.03)
    assert data["seconds"] == pytest.approx(8 * (4000 / 20) / 40)
    assert data["rehit_fraction"] < 0.2
    assert data["largest_gap_mm"] > data["gap_fraction"]["r_mm"]
    assert data["plots"] == []
    assert {"doddaballapur2009", "prime2015", "spatstat-fest"} <= set(data["sources"])


def test_simulate_zone_area_comes_from_the_evidence(capsys: pytest.CaptureFixture[str], ev: Evidence) -> None:
    data = cli_json(capsys, "coverage", "simulate", "--device", "pen_6_exceed", "--passes", "1", "--zone", "forehead")
    assert data["inputs"]["zone"] == "forehead"
    assert data["inputs"]["area_cm2"] == ev.zones["forehead"].area_cm2.value
    assert data["inputs"]["directions"] == ["h", "v"]  # pens default to cross-hatching


def test_simulate_table_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("coverage", "simulate", "--device", "roller_192_050", "--passes", "2", "--area-cm2", "20")
    code, out, err = cli(capsys, *argv)
    assert (code, err) == (0, "")
    for text in ("density", "gap fraction (> 0.5 mm)", "largest gap", "re-hits", "injured area", "sources:"):
        assert text in out


def test_simulate_writes_only_the_format_asked_for(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "face.png"
    data = cli_json(
        capsys, "coverage", "simulate", "--device", "roller_192_150", "--passes", "4", "--area-cm2", "30",
        "--plot", str(target),
    )
    assert data["plots"] == [str(target)]
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "face.svg").exists()


def test_simulate_writes_png_and_svg_from_one_drawing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pinpoint.core.coverage import figures

    drawn: list[object] = []
    real_draw = figures._draw  # counting how often the figure is built
    monkeypatch.setattr(figures, "_draw", lambda sim: drawn.append(sim) or real_draw(sim))
    png, svg = tmp_path / "face.png", tmp_path / "face.svg"
    data = cli_json(
        capsys, "coverage", "simulate", "--device", "roller_192_150", "--passes", "4", "--area-cm2", "30",
        "--plot", str(png), "--plot", str(svg),
    )
    assert data["plots"] == [str(png), str(svg)]
    assert len(drawn) == 1
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png.read_bytes()[16:20], "big"), int.from_bytes(png.read_bytes()[20:24], "big")
    assert (width, height) == (1375, 638)
    root = ET.parse(svg).getroot()  # noqa: S314 - a file this test just had Pinpoint write
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_svg_draws_each_puncture_of_the_window_and_the_largest_gap(ev: Evidence) -> None:
    from pinpoint.core.coverage.engine import simulate
    from pinpoint.core.coverage.figures import _window, render_all

    sim = simulate(ev, make_treatment(ev, "roller_192_150", 4, area_cm2=30))
    x0, y0, w = _window(sim)
    x, y = sim.field.xy[:, 0], sim.field.xy[:, 1]
    near = int(((x >= x0 - 1) & (x <= x0 + w + 1) & (y >= y0 - 1) & (y <= y0 + w + 1)).sum())
    root = ET.fromstring(render_all(sim, ["svg"])["svg"])  # noqa: S314 - Pinpoint's own output
    ns = "{http://www.w3.org/2000/svg}"
    circles = list(root.iter(f"{ns}circle"))
    assert len(circles) == near + 1  # every puncture near the window, and the red largest gap
    assert [c.get("fill") for c in circles].count("none") == 1
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert f"red: largest gap in the zone, radius {sim.result.largest_gap_mm:.2f} mm" in texts
    assert "punctures per cm²" in texts
    assert len(list(root.iter(f"{ns}image"))) == 3  # the heatmap and the two colour bars, as pixels


def test_the_simulator_and_its_picture_load_neither_scipy_spatial_nor_matplotlib() -> None:
    """Their import cost was most of the coverage command's start: the k-d tree and the triangulation
    are loaded alone (without the packages their own imports name: scipy.linalg, scipy.sparse and
    scipy's array-API layer, which loads numpy.f2py, numpy.ma and numpy.testing), the picture is
    painted with Pillow."""
    code = (
        "import sys, pinpoint.core.coverage.engine, pinpoint.core.coverage.figures;"
        "print(sorted(m for m in ('scipy.spatial', 'scipy.special', 'scipy.linalg', 'scipy.sparse',"
        " 'scipy._lib._util', 'scipy._lib._array_api', 'numpy.f2py', 'numpy.ma', 'numpy.testing', 'matplotlib',"
        " 'matplotlib.figure', 'matplotlib.pyplot') if m in sys.modules),"
        " [m in sys.modules for m in ('scipy.spatial._ckdtree', 'scipy.spatial._qhull', 'scipy.linalg.cython_lapack')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] [True, True, True]"


def test_writing_both_pictures_loads_only_pillows_png_writer_and_no_xml_or_network_module(tmp_path: Path) -> None:
    """``xml.sax.saxutils`` loads urllib.request, http.client and ssl; Pillow, asked for a format by
    name, loads its BMP, GIF, JPEG and PPM writers: neither is needed for a PNG and an SVG."""
    plots = ["--plot", str(tmp_path / "a.png"), "--plot", str(tmp_path / "a.svg")]
    argv = ["coverage", "simulate", "--device", "roller_192_150", "--passes", "2", "--area-cm2", "10", *plots]
    code = (
        "import contextlib, io, sys\n"
        "from pinpoint.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({argv!r})\n"
        "print(sorted(m for m in ('xml.sax.saxutils', 'urllib.request', 'http.client', 'ssl', 'PIL.BmpImagePlugin',"
        " 'PIL.GifImagePlugin', 'PIL.JpegImagePlugin', 'PIL.PpmImagePlugin') if m in sys.modules),"
        " 'PIL.PngImagePlugin' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True"
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "a.svg").read_text(encoding="utf-8").rstrip().endswith("</svg>")


def test_png_bytes_and_svg_escapes_are_pillows_and_the_standard_librarys() -> None:
    import io
    from xml.sax.saxutils import escape

    import numpy as np
    from PIL import Image

    from pinpoint.core.coverage.figures import _escape, _png_bytes

    rgb = np.random.default_rng(1).integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    img = Image.fromarray(rgb, "RGB")
    for params in ({}, {"compress_level": 1}):
        buf = io.BytesIO()
        img.save(buf, format="png", **params)
        assert _png_bytes(img, **params) == buf.getvalue()
    for text in ("a < b & c > d", "&amp; <&>", "10 mm² × 3 — ≥ 'q' \"d\"", ""):
        assert _escape(text) == escape(text)


@pytest.mark.parametrize("name", ["viridis", "tab20"])
def test_picture_colours_are_matplotlibs(name: str) -> None:
    import matplotlib as mpl
    import numpy as np

    from pinpoint.core.coverage.figures import _cmap_rgb

    values = np.concatenate((np.linspace(0.0, 1.0, 2001), np.random.default_rng(0).random(500), [1 / 256, 0.5]))
    assert np.array_equal(_cmap_rgb(name, values), mpl.colormaps[name](values, bytes=True)[:, :3])


def test_the_k_d_tree_loaded_alone_is_scipys() -> None:
    """The classes are scipy's; the value the k-d tree took from a stand-in for scipy._lib._util is
    scipy's own; its sparse outputs import scipy.sparse when asked for; nothing is left standing in."""
    code = (
        "import sys, numpy as np, pinpoint.core.coverage.metrics as m;"
        "t = m.cKDTree(np.array([[0.0, 0.0], [0.3, 0.0], [0.0, 0.5], [2.0, 2.0]]));"
        "d = t.sparse_distance_matrix(t, 0.4, output_type='coo_matrix');"
        "import scipy.spatial as s, scipy.sparse as sp, scipy._lib._util as u;"
        "print(m.cKDTree is s.cKDTree, m.Delaunay is s.Delaunay, m.QhullError is s.QhullError,"
        " sys.modules['scipy.spatial._ckdtree'].copy_if_needed is u.copy_if_needed,"
        " type(d) is sp.coo_matrix, sorted(zip(d.row.tolist(), d.col.tolist(), d.data.round(3).tolist())),"
        " type(sys.modules['scipy.sparse']).__name__, type(sys.modules['scipy._lib._util']).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    pairs = "[(0, 0, 0.0), (0, 1, 0.3), (1, 0, 0.3), (1, 1, 0.0), (2, 2, 0.0), (3, 3, 0.0)]"  # with self pairs
    assert out.strip() == f"True True True True True {pairs} module module"


def test_a_stand_in_answers_with_the_real_module_once_the_load_is_over() -> None:
    """While a stand-in for scipy.sparse is in sys.modules, the loading thread finds only the values
    it was given; another thread that reads it waits for the load to end and gets scipy's objects,
    as does any read after it."""
    code = (
        "import sys, threading, pinpoint.core.coverage._spatial as sp\n"
        "s = sp._StandIn('scipy.sparse', {'given': 1}); sys.modules['scipy.sparse'] = s\n"
        "seen = []\n"
        "other = threading.Thread(target=lambda: seen.append(s.coo_matrix)); other.start()\n"
        "other.join(0.3); waited = other.is_alive()\n"
        "missing, given = not hasattr(s, 'coo_matrix'), s.given\n"
        "del sys.modules['scipy.sparse']; s._pinpoint_gone.set(); other.join()\n"
        "import scipy.sparse\n"
        "print(waited, missing, given, seen == [scipy.sparse.coo_matrix], s.coo_matrix is scipy.sparse.coo_matrix,"
        " sys.modules['scipy.sparse'] is not s)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True True 1 True True True"


def test_recommend_density_target(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(capsys, "coverage", "recommend", "--device", "roller_192_150", "--target-density", "250")
    assert (data["passes"], data["passes_for_density"], data["passes_for_gap"]) == (17, 17, None)
    assert data["passes_per_direction"] == {"h": 5, "v": 4, "d1": 4, "d2": 4}
    assert data["inputs"]["zone"] == "full_face"
    assert data["within_published_passes"] is True
    assert data["density_per_cm2"] == pytest.approx(17 * 15.279, rel=0.02)
    assert data["achieved"]["passes"] == 17
    for key in ("gap_fraction", "largest_gap_mm", "rehit_fraction", "seconds", "units"):
        assert key in data


def test_recommend_gap_criterion_is_met_by_the_simulation(capsys: pytest.CaptureFixture[str]) -> None:
    data = cli_json(
        capsys, "coverage", "recommend", "--device", "roller_192_150", "--max-gap-mm", "0.6",
        "--max-gap-fraction", "0.1", "--area-cm2", "60",
    )
    assert data["gap_search"][data["passes_for_gap"] - 1]["gap_fraction"] <= 0.1
    assert data["gap_search"][data["passes_for_gap"] - 2]["gap_fraction"] > 0.1
    assert data["gap_fraction"]["r_mm"] == 0.6
    assert data["gap_fraction"]["value"] <= 0.1
    assert data["passes"] >= data["passes_for_gap"]


def test_recommend_for_a_pen_states_it_is_outside_the_published_range(ev: Evidence) -> None:
    rec = recommend_passes(ev, "pen_14", target_density_per_cm2=300, area_cm2=20, verify=False)
    assert rec.passes == 1
    assert rec.achieved is None
    assert rec.within_published_passes is False
    assert (rec.published_passes.min, rec.published_passes.max) == (4, 10)


BAD: list[tuple[list[str], str]] = [
    (["simulate", "--device", "roller_192_150", "--passes", "0"], "passes must be a whole number of at least 1"),
    (["simulate", "--device", "roller_192_150", "--passes", "-3"], "passes must be a whole number of at least 1"),
    (["simulate", "--device", "roller_192_150", "--passes", "100000"], "passes must be at most 200"),
    (["simulate", "--device", "pen_14", "--passes", "1", "--speed-cm-s", "0"], "speed_cm_s must be greater than 0"),
    (["simulate", "--device", "pen_14", "--passes", "1", "--speed-cm-s", "-2"], "speed_cm_s must be greater than 0"),
    (["simulate", "--device", "pen_14", "--passes", "1", "--area-cm2", "0"], "area_cm2 must be greater than 0"),
    (["simulate", "--device", "pen_14", "--passes", "1", "--area-cm2", "-5"], "area_cm2 must be greater than 0"),
    (["simulate", "--device", "pen_14", "--passes", "1", "--area-cm2", "1e9"], "the simulator takes at most"),
    (["simulate", "--device", "rollr_192_150", "--passes", "1"], "did you mean 'roller_192_150'"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--pattern", "circles"], "is for pens"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--directions", "h,x"], "unknown direction 'x'"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--zone", "cheeck"], "did you mean 'cheek'"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--zone", "cheek", "--area-cm2", "9"], "not both"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--plot", "x.txt"], ".png or .svg"),
    (["simulate", "--device", "roller_192_150", "--passes", "two"], "Invalid value for '--passes'"),
    (["simulate", "--device", "roller_192_150", "--passes", "1", "--gap-r-mm", "0"], "gap_r_mm must be greater than 0"),
    (["recommend", "--device", "roller_192_150", "--target-density", "1000"], "takes 66 passes, more than 20"),
    (["recommend", "--device", "roller_192_150", "--target-density", "0"], "must be greater than 0"),
    (["recommend", "--device", "roller_192_150", "--max-gap-mm", "0.5"], "needs both"),
    (["recommend", "--device", "roller_192_150"], "give a target density"),
    (["recommend", "--device", "roller_192_150", "--target-density", "250", "--max-passes", "0"], "pass cap"),
    (
        ["recommend", "--device", "roller_192_150", "--max-gap-mm", "0.2", "--max-gap-fraction", "0.01"],
        "after 20 passes (technique passes_roller max)",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a[:1] + a[3:]) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, out, err = cli(capsys, "coverage", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("pinpoint: error:")
    assert err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_a_device_of_another_kind_is_refused(ev: Evidence) -> None:
    other = SimpleNamespace(kind="epilator", name="Needle epilator")
    fake = dataclasses.replace(ev, devices={**ev.devices, "epilator_1": other})
    with pytest.raises(InputError, match="is a epilator: coverage needs a roller or a pen"):
        make_treatment(fake, "epilator_1", 3)
    assert isinstance(geometry_of(needling_device(fake, "roller_192_020")), RollerGeometry)


def test_real_process_json_and_error(tmp_path: Path) -> None:
    ok = subprocess.run(
        [str(PINPOINT), "coverage", "simulate", "--device", "pen_11", "--passes", "2", "--area-cm2", "5", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["inputs"]["device"] == "pen_11"
    assert ok.stderr == ""
    bad = subprocess.run(
        [str(PINPOINT), "coverage", "recommend", "--device", "pen_14", "--target-density", "1e7"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("pinpoint: error: 1e+07 punctures/cm2 with pen_14")
