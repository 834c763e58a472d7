"""The sketch backend, checked by measuring its pixels: light, framing, angles, colours."""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import os
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from render.base import BACKENDS, RenderRequest
from render.sketch import DUTCH_DEG, SketchBackend, draw_panel
from render.stage import render_plan
from screenplay.base import parse_file
from shots.grammar import GrammarPlanner
from shots.model import ANGLES, ASPECT_RATIOS, MOVEMENTS, SIZES, CharacterRef, Shot, ShotPlan, Style
from shots.style import load_style
from tests.conftest import DATA

BIBLE = (
    CharacterRef(name="BRICK", description="retired police detective", seed=1),
    CharacterRef(name="STEEL", description="his former partner", seed=2),
)


@cache
def storyboard() -> Style:
    return load_style()


@cache
def corpus_plan(name: str) -> ShotPlan:
    return GrammarPlanner().plan(parse_file(DATA / name), style=storyboard())


def make_shot(**fields: object) -> Shot:
    base: dict[str, object] = dict(
        id="1-01",
        scene_id="sc001",
        scene_number="1",
        size="MS",
        duration_s=3.0,
        int_ext="EXT",
        location="LAKE",
        time_of_day="DAY",
        seed=7,
    )
    return Shot(**{**base, **fields})


def panel(
    shot: Shot, *, style: Style | None = None, width: int = 640, height: int = 360
) -> Image.Image:
    request = RenderRequest(
        shot=shot, style=style or storyboard(), width=width, height=height, characters=BIBLE
    )
    return draw_panel(request)


def luminance(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L")).mean[0]


def count(mask: Image.Image) -> int:
    """Non-zero pixels of an ``L`` mask."""
    return sum(mask.histogram()[1:])


def changed_area(a: Image.Image, b: Image.Image, threshold: int = 12) -> float:
    """Fraction of the frame where ``a`` and ``b`` differ visibly."""
    r, g, b_ = ImageChops.difference(a, b).split()
    diff = ImageChops.lighter(r, ImageChops.lighter(g, b_)).point(
        lambda v: 255 if v > threshold else 0
    )
    return count(diff) / (a.width * a.height)


def subject_area(**fields: object) -> float:
    """How much of the frame the subject covers: the shot with and without them, compared."""
    with_subject = panel(make_shot(subjects=["BRICK"], **fields))
    without = panel(make_shot(subjects=[], **fields))
    return changed_area(with_subject, without)


def horizon_rows(image: Image.Image, columns: Iterable[float]) -> list[tuple[float, float]]:
    """``(x, y)`` of the horizon line (the darkest row below the corner label) per column."""
    grey = image.convert("L")
    top = int(image.height * 0.16)
    points = []
    for fx in columns:
        x = int(image.width * fx)
        strip = grey.crop((x, top, x + 1, image.height - 2))
        column = [strip.getpixel((0, y)) for y in range(strip.height)]
        y = min(range(len(column)), key=column.__getitem__)
        points.append((float(x), float(y + top)))
    return points


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``y`` over ``x``."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    num = sum((x - mx) * (y - my) for x, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return num / den


def dominant_hue(image: Image.Image) -> int:
    """The most common hue (0..255) among clearly coloured pixels."""
    hsv = image.convert("HSV")
    h, s, v = hsv.split()
    mask = Image.eval(s, lambda x: 255 if x > 40 else 0)
    mask = ImageChops.multiply(mask, Image.eval(v, lambda x: 255 if x > 50 else 0))
    histogram = h.histogram(mask=mask)
    assert sum(histogram) > 0, "no coloured pixels"
    return max(range(256), key=histogram.__getitem__)


def hue_distance(a: int, b: int) -> int:
    return min(abs(a - b), 256 - abs(a - b))


# ---- the backend's contract ------------------------------------------------------------------


def test_backend_is_registered_as_a_still_png() -> None:
    backend = BACKENDS.get("sketch")()
    assert (backend.name, backend.kind, backend.suffix) == ("sketch", "still", ".png")
    assert set(backend.settings()) == {"version"}


@pytest.mark.parametrize("aspect", sorted(ASPECT_RATIOS))
def test_frame_size_matches_the_request(aspect: str) -> None:
    style = load_style(aspect_ratio=aspect)
    width, height = style.frame_size(1280)
    image = panel(make_shot(subjects=["BRICK"]), style=style, width=width, height=height)
    assert image.size == (width, height)
    assert image.mode == "RGB"


def test_same_request_same_bytes_and_other_seeds_or_sizes_differ(tmp_path: Path) -> None:
    backend = SketchBackend()
    style = storyboard()

    def render(name: str, **fields: object) -> bytes:
        request = RenderRequest(
            shot=make_shot(subjects=["BRICK", "STEEL"], location="BRICK'S PATIO", **fields),
            style=style,
            width=640,
            height=360,
            characters=BIBLE,
        )
        path = tmp_path / f"{name}.png"
        backend.render(request, path)
        return path.read_bytes()

    first, again = render("a"), render("b")
    assert first == again
    assert render("seed", seed=8) != first
    assert render("size", size="CU") != first
    with Image.open(tmp_path / "a.png") as image:
        assert not set(image.info) - {"dpi"}, "no metadata that could vary"


def test_same_bytes_in_a_fresh_process_with_another_hash_seed() -> None:
    code = (
        "import hashlib, io\n"
        "from tests.render.test_sketch import make_shot, panel\n"
        "image = panel(make_shot(subjects=['BRICK', 'STEEL'], location='BRICK\\'S PATIO'))\n"
        "buffer = io.BytesIO(); image.save(buffer, format='PNG')\n"
        "print(hashlib.sha256(buffer.getvalue()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    child = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    image = panel(make_shot(subjects=["BRICK", "STEEL"], location="BRICK'S PATIO"))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert child.stdout.strip() == hashlib.sha256(buffer.getvalue()).hexdigest()


def test_labels_fall_back_to_pillows_own_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from render import _sketch_canvas

    monkeypatch.setattr(_sketch_canvas, "_FONT_DIRS", ())
    monkeypatch.setattr(_sketch_canvas, "_FONT_FILES", {"sans": "no-such-font.ttf"})
    _sketch_canvas.font.cache_clear()
    try:
        assert _sketch_canvas.font(20, "bold").getbbox("Brick")[2] > 20
        image = panel(make_shot(subjects=["BRICK"]))
        assert image.size == (640, 360)
    finally:
        _sketch_canvas.font.cache_clear()


# ---- light -----------------------------------------------------------------------------------


@pytest.mark.parametrize("int_ext", ["EXT", "INT"])
def test_night_is_darker_than_day(int_ext: str) -> None:
    day = panel(make_shot(size="WS", subjects=["BRICK"], int_ext=int_ext, time_of_day="DAY"))
    night = panel(make_shot(size="WS", subjects=["BRICK"], int_ext=int_ext, time_of_day="NIGHT"))
    assert luminance(night) < luminance(day) * 0.6


def test_dusk_is_warmer_than_day() -> None:
    def warmth(time_of_day: str) -> float:
        image = panel(make_shot(size="EWS", subjects=[], time_of_day=time_of_day))
        r, _, b = ImageStat.Stat(image).mean
        return r / b

    assert warmth("DUSK") > warmth("DAY") * 1.1
    assert warmth("DUSK") > 1.0 > warmth("DAY")


# ---- framing ----------------------------------------------------------------------------------


def test_tighter_sizes_cover_more_of_the_frame() -> None:
    areas = {
        size: subject_area(size=size) for size in ("ECU", "CU", "MCU", "MS", "FS", "WS", "EWS")
    }
    assert areas["ECU"] > 0.8, areas
    assert areas["EWS"] < 0.02, areas
    order = ["ECU", "CU", "MCU", "MS", "FS", "WS", "EWS"]
    for tighter, wider in itertools.pairwise(order):
        assert areas[tighter] > areas[wider], (tighter, wider, areas)


def test_two_subjects_cover_more_than_one() -> None:
    one = panel(make_shot(subjects=["BRICK"], size="WS"))
    two = panel(make_shot(subjects=["BRICK", "STEEL"], size="WS"))
    empty = panel(make_shot(subjects=[], size="WS"))
    assert changed_area(two, empty) > changed_area(one, empty) * 1.5


# ---- angles -----------------------------------------------------------------------------------

_COLUMNS = [0.2 + 0.6 * i / 9 for i in range(10)]


def test_eye_level_horizon_is_flat_and_dutch_is_tilted() -> None:
    level = horizon_rows(panel(make_shot(size="EWS", lens_mm=20, subjects=[])), _COLUMNS)
    dutch = horizon_rows(
        panel(make_shot(size="EWS", lens_mm=20, subjects=[], angle="dutch")), _COLUMNS
    )
    assert abs(slope(level)) < 0.01
    assert abs(math.degrees(math.atan(abs(slope(dutch)))) - DUTCH_DEG) < 2.0
    assert max(y for _, y in level) - min(y for _, y in level) <= 2


def test_low_angle_puts_the_horizon_lower_than_high_angle() -> None:
    def row(angle: str) -> float:
        image = panel(make_shot(size="EWS", lens_mm=20, subjects=[], angle=angle))
        rows = [y for _, y in horizon_rows(image, _COLUMNS)]
        return sorted(rows)[len(rows) // 2]

    low, level, high = row("low"), row("eye level"), row("high")
    assert low > level > high
    assert low - high > 360 * 0.2


def test_pov_masks_the_corners() -> None:
    image = panel(make_shot(angle="POV", subjects=["STEEL"], description="Sniper scope POV"))
    corners = [image.getpixel((2, 2)), image.getpixel((637, 357))]
    assert all(sum(c) < 60 for c in corners)
    assert luminance(image.crop((270, 130, 370, 230))) > 120


def test_over_the_shoulder_shows_the_other_character_in_the_foreground() -> None:
    single = panel(make_shot(subjects=["BRICK"], angle="eye level"))
    ots = panel(make_shot(subjects=["BRICK", "STEEL"], angle="OTS"))
    assert changed_area(ots, single) > 0.15


# ---- characters -------------------------------------------------------------------------------


def test_a_character_keeps_its_colour_and_characters_differ() -> None:
    brick_ms = panel(make_shot(subjects=["BRICK"], size="MS", seed=1))
    brick_other = panel(
        make_shot(
            id="4-02", subjects=["BRICK"], size="MCU", seed=99, int_ext="INT", location="GARAGE"
        )
    )
    steel_ms = panel(make_shot(subjects=["STEEL"], size="MS", seed=1))
    assert hue_distance(dominant_hue(brick_ms), dominant_hue(brick_other)) <= 2
    assert hue_distance(dominant_hue(brick_ms), dominant_hue(steel_ms)) > 12


def test_moving_shots_draw_red_arrows_and_static_ones_do_not() -> None:
    def red(image: Image.Image) -> int:
        r, g, b = image.split()
        mask = ImageChops.subtract(r, ImageChops.add(g, b, scale=1.4))
        return count(mask.point(lambda v: 255 if v > 60 else 0))

    static = panel(make_shot(subjects=["BRICK"], movement="static"))
    assert red(static) == 0
    for movement in ("pan", "tilt", "push in", "pull out", "tracking", "crane", "zoom", "handheld"):
        assert red(panel(make_shot(subjects=["BRICK"], movement=movement))) > 100, movement


# ---- cards and inserts ------------------------------------------------------------------------


def test_title_card_is_light_words_on_black() -> None:
    image = panel(
        make_shot(
            size="INSERT",
            on_screen_text="BRICK & STEEL\nFULL RETIRED",
            description='Title card: "BRICK & STEEL FULL RETIRED".',
        )
    )
    grey = image.convert("L")
    dark = sum(grey.histogram()[:40]) / (640 * 360)
    light = sum(grey.histogram()[200:]) / (640 * 360)
    assert dark > 0.8
    assert light > 0.02


def test_written_insert_is_a_note_not_a_title_card() -> None:
    image = panel(
        make_shot(
            size="INSERT",
            on_screen_text="Scott --",
            int_ext="INT",
            description='Insert on the writing: "Scott --".',
        )
    )
    assert luminance(image) > 120


# ---- every combination renders ----------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_every_size_and_angle_renders(size: str) -> None:
    for angle, subjects in itertools.product(ANGLES, ([], ["BRICK"], ["BRICK", "STEEL", "DAN"])):
        image = panel(make_shot(size=size, angle=angle, subjects=subjects), width=320, height=180)
        assert image.size == (320, 180)


@pytest.mark.parametrize(
    "time_of_day",
    [
        "DAY",
        "NIGHT",
        "DAWN",
        "DUSK",
        "MORNING",
        "AFTERNOON",
        "EVENING",
        "CONTINUOUS",
        "LATER",
        "SAME",
        None,
    ],
)
def test_every_time_of_day_and_move_renders(time_of_day: str | None) -> None:
    for movement, int_ext in itertools.product(MOVEMENTS, ("INT", "EXT", "INT/EXT", None)):
        shot = make_shot(
            time_of_day=time_of_day, movement=movement, int_ext=int_ext, subjects=["STEEL"]
        )
        assert panel(shot, width=180, height=320).size == (180, 320)


def test_style_palettes_render() -> None:
    for name in ("storyboard", "ink", "noir", "photoreal", "anime", "commercial"):
        style = load_style(name)
        width, height = style.frame_size(480)
        image = panel(
            make_shot(subjects=["BRICK", "STEEL"]), style=style, width=width, height=height
        )
        assert image.size == (width, height)


# ---- through the render stage -----------------------------------------------------------------


def test_render_stage_renders_every_shot_then_takes_all_from_the_cache(tmp_path: Path) -> None:
    plan = corpus_plan("brick_and_steel.fountain")
    backend = SketchBackend()
    first = render_plan(plan, backend, tmp_path)
    assert [r.shot_id for r in first.renders] == [s.id for s in plan.shots]
    assert not any(r.cached for r in first.renders)
    for shot in plan.shots:
        path = tmp_path / "shots" / f"{shot.id}.png"
        assert path.is_file()
        with Image.open(path) as image:
            assert image.size == (first.width, first.height) == (1280, 720)
    again = render_plan(plan, backend, tmp_path)
    assert all(r.cached for r in again.renders)
