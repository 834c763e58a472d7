"""The storyboard PDF, read back with pdfplumber: text, pages, panel geometry, fonts, errors.

Panels are made here with Pillow (a grey frame with the shot id drawn large) at the
plan's aspect ratio, small enough that a 50-shot board builds in about a second.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from PIL import Image, ImageDraw

from previz.assemble import _storyboard_media
from previz.assemble._storyboard_text import format_runtime, truncate, wrap
from previz.assemble.storyboard import (
    PAPER_SIZES,
    StoryboardInfo,
    assemble_storyboard,
    paginate,
)
from previz.errors import AssemblyError
from render.model import RenderSet, ShotRender
from screenplay.base import parse_file
from shots.grammar import GrammarPlanner
from shots.model import DialogueLine, PlannerInfo, SceneInfo, Shot, ShotPlan, Style
from shots.style import load_style
from tests.conftest import DATA

PER_PAGE = {"3x2": 6, "2x2": 4, "1x3": 3}


# -- helpers ------------------------------------------------------------------------------


def _panel(path: Path, shot_id: str, size: tuple[int, int]) -> None:
    width, height = size
    image = Image.new("RGB", size, (150, 150, 150))
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, width - 5, height - 5), outline=(60, 60, 60), width=4)
    draw.text((width * 0.1, height * 0.3), shot_id, fill=(20, 20, 20), font_size=height // 4)
    image.save(path)


def _renders(plan: ShotPlan, root: Path, long_side: int = 400) -> RenderSet:
    width, height = plan.style.frame_size(long_side)
    (root / "shots").mkdir(parents=True, exist_ok=True)
    renders = []
    for shot in plan.shots:
        _panel(root / "shots" / f"{shot.id}.png", shot.id, (width, height))
        renders.append(
            ShotRender(
                shot_id=shot.id, kind="still", path=f"shots/{shot.id}.png",
                width=width, height=height, backend="test", cache_key=shot.id,
            )
        )  # fmt: skip
    return RenderSet(
        plan_sha256="test", backend="test", width=width, height=height, renders=renders
    )


def _plan(script: str = "brick_and_steel.fountain", style: str = "storyboard") -> ShotPlan:
    return GrammarPlanner().plan(parse_file(DATA / script), style=load_style(style))


def _expected_pages(plan: ShotPlan, per_page: int) -> int:
    """The cover plus, for each scene (a run of shots), its shots over ``per_page``."""
    runs = [len(list(group)) for _, group in itertools.groupby(plan.shots, lambda s: s.scene_id)]
    return 1 + sum(math.ceil(n / per_page) for n in runs)


def _texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _small_plan(shots: list[Shot], *, title: str = "Test", aspect: str = "16:9") -> ShotPlan:
    return ShotPlan(
        script_sha256="x",
        title=title,
        authors=["A. Writer"],
        draft_date="1 May 2024",
        style=Style(name="test", aspect_ratio=aspect),
        scenes=[SceneInfo(id="sc001", number="1", heading="INT. ROOM - DAY")],
        shots=shots,
        planner=PlannerInfo(name="test"),
    )


def _shot(shot_id: str = "1-01", **fields) -> Shot:
    fields = {"scene_id": "sc001", "scene_number": "1", "size": "MS", "duration_s": 2.0, **fields}
    return Shot(id=shot_id, **fields)


# -- the brick_and_steel board ------------------------------------------------------------


@pytest.fixture(scope="module")
def brick(tmp_path_factory) -> tuple[ShotPlan, RenderSet, Path]:
    root = tmp_path_factory.mktemp("brick")
    plan = _plan()
    return plan, _renders(plan, root), root


@pytest.fixture(scope="module")
def brick_pdf(brick, tmp_path_factory) -> tuple[ShotPlan, StoryboardInfo]:
    plan, renders, root = brick
    out = tmp_path_factory.mktemp("out") / "storyboard.pdf"
    return plan, assemble_storyboard(plan, renders, root, out)


def test_every_shot_id_and_scene_header_is_searchable_text(brick_pdf) -> None:
    plan, info = brick_pdf
    text = "\n".join(_texts(info.path))
    for shot in plan.shots:
        assert shot.id in text
    boarded = {shot.scene_id for shot in plan.shots}
    for scene in plan.scenes:
        if scene.id in boarded:
            assert f"SCENE {scene.number} — {scene.heading}" in text
    assert "(cont'd)" in text  # scene 1 has 13 shots: three pages
    assert "STEEL: Beer's ready!" in text
    assert "1-01 EWS · eye level · static · 20mm · 3.5s" in text


def test_cover_shows_title_author_and_draft_date(brick_pdf) -> None:
    plan, info = brick_pdf
    cover = _texts(info.path)[0]
    assert "BRICK & STEEL" in cover and "FULL RETIRED" in cover
    assert "Stu Maschwitz" in cover and "1/27/2012" in cover
    assert "written by" in cover
    assert str(len(plan.shots)) in cover and format_runtime(plan.duration_s) in cover
    assert "previz" in cover


def test_pages_are_numbered_n_of_m(brick_pdf) -> None:
    _, info = brick_pdf
    texts = _texts(info.path)
    assert info.pages == len(texts)
    for number, text in enumerate(texts[1:], start=2):
        assert f"page {number} of {info.pages}" in text


def test_metadata(brick_pdf) -> None:
    plan, info = brick_pdf
    with pdfplumber.open(info.path) as pdf:
        meta = pdf.metadata
    assert meta["Title"] == "BRICK & STEEL FULL RETIRED"
    assert meta["Author"] == "Stu Maschwitz"
    assert meta["Creator"].startswith("previz")
    assert info.panels == len(plan.shots)


def test_fonts_are_embedded_truetype(brick_pdf) -> None:
    _, info = brick_pdf
    seen = set()
    with pdfplumber.open(info.path) as pdf:
        for page in pdf.pages:
            for ref in resolve1(page.page_obj.resources["Font"]).values():
                font = resolve1(ref)
                descriptor = resolve1(font["FontDescriptor"])
                assert "FontFile2" in descriptor, font["BaseFont"]
                seen.add(str(font["BaseFont"]))
    assert seen and not any("Helvetica" in name for name in seen)


def test_without_system_fonts_reportlabs_vera_is_embedded(brick, tmp_path) -> None:
    import templates

    plan, renders, root = brick
    plan = plan.model_copy(update={"shots": plan.shots[:3]})
    text = templates.path("storyboard", "default.toml").read_text(encoding="utf-8")
    template = tmp_path / "nofonts.toml"
    text = re.sub(r"(?m)^dirs = .*$", 'dirs = ["/nonexistent"]', text)
    template.write_text(text)
    info = assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", template=template)
    assert "1-01" in _texts(info.path)[1]
    with pdfplumber.open(info.path) as pdf:
        fonts = resolve1(pdf.pages[1].page_obj.resources["Font"]).values()
        names = {str(resolve1(ref)["BaseFont"]) for ref in fonts}
    assert names and all("Vera" in name for name in names)

    template.write_text(text.replace("reportlab:Vera.ttf", "reportlab:Missing.ttf"))
    with pytest.raises(AssemblyError, match="no display font found"):
        assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", template=template)


def test_each_panel_is_embedded_once_and_scaled_to_its_box(brick, tmp_path) -> None:
    plan = brick[0].model_copy(update={"shots": brick[0].shots[:16]})
    root = tmp_path / "big"
    renders = _renders(plan, root, long_side=1600)  # larger than any printed box needs
    info = assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", dpi=150)
    with pdfplumber.open(info.path) as pdf:
        images = [image for page in pdf.pages for image in page.images]
    assert len({image["stream"].objid for image in images}) == len(plan.shots)
    for image in images[4:]:  # the board pages; the cover reuses four of them
        printed_px = image["width"] / 72 * 150
        assert image["srcsize"][0] <= math.ceil(printed_px) + 1
        assert image["srcsize"][0] >= printed_px * 0.9


def test_text_stays_inside_the_margins_and_off_the_panels(brick_pdf) -> None:
    _, info = brick_pdf
    width, height = PAPER_SIZES["letter"]
    with pdfplumber.open(info.path) as pdf:
        for page in pdf.pages:
            boxes = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]
            for char in page.chars:
                assert char["x0"] >= 30 and char["x1"] <= width - 30, char["text"]
                assert char["top"] >= 10 and char["bottom"] <= height - 10, char["text"]
                for x0, top, x1, bottom in boxes:
                    inside_x = char["x1"] > x0 + 0.5 and char["x0"] < x1 - 0.5
                    inside_y = char["bottom"] > top + 0.5 and char["top"] < bottom - 0.5
                    assert not (inside_x and inside_y), (page.page_number, char["text"])


# -- layouts and pagination ---------------------------------------------------------------


@pytest.mark.parametrize("layout", ["3x2", "2x2", "1x3"])
def test_page_count_follows_the_layout_and_scene_breaks(brick, layout, tmp_path) -> None:
    plan, renders, root = brick
    info = assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", layout=layout)
    assert info.pages == _expected_pages(plan, PER_PAGE[layout])
    with pdfplumber.open(info.path) as pdf:
        assert len(pdf.pages) == info.pages
        for page in pdf.pages[1:]:
            assert 1 <= len(page.images) <= PER_PAGE[layout]
            ids = {shot.id for shot in plan.shots if shot.id in (page.extract_text() or "")}
            assert len(ids) == len(page.images)


def test_layouts_give_different_page_counts(brick, tmp_path) -> None:
    plan, renders, root = brick
    pages = {
        layout: assemble_storyboard(
            plan, renders, root, tmp_path / f"{layout}.pdf", layout=layout
        ).pages
        for layout in PER_PAGE
    }
    assert pages["3x2"] < pages["2x2"] < pages["1x3"]


def test_paginate_starts_each_scene_on_a_page() -> None:
    shots = [_shot(f"1-0{i}") for i in range(1, 8)]
    shots += [_shot("2-01", scene_id="sc002", scene_number="2")]
    pages = paginate(_small_plan(shots), 3)
    assert [len(page.shots) for page in pages] == [3, 3, 1, 1]
    assert [page.continued for page in pages] == [False, True, True, False]
    assert pages[0].heading == "INT. ROOM - DAY" and pages[0].scene_shots == 7
    assert pages[3].scene_number == "2"


@pytest.mark.parametrize(("style", "wide"), [("photoreal", True), ("commercial", False)])
def test_panels_keep_the_style_aspect_ratio(style, wide, tmp_path) -> None:
    plan = _plan(style=style)
    plan = plan.model_copy(update={"shots": plan.shots[:12]})
    renders = _renders(plan, tmp_path)
    info = assemble_storyboard(plan, renders, tmp_path, tmp_path / "sb.pdf")
    with pdfplumber.open(info.path) as pdf:
        images = [image for page in pdf.pages for image in page.images]
    assert images
    for image in images:
        ratio = image["width"] / image["height"]
        assert ratio == pytest.approx(plan.style.ratio, rel=0.02)
        assert (image["width"] > image["height"]) is wide


def test_a4_paper(brick, tmp_path) -> None:
    plan, renders, root = brick
    info = assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", paper="a4")
    with pdfplumber.open(info.path) as pdf:
        assert (pdf.pages[0].width, pdf.pages[0].height) == pytest.approx(PAPER_SIZES["a4"])
    assert info.paper == "a4"


# -- text ---------------------------------------------------------------------------------


def test_unicode_round_trips_through_extraction(tmp_path) -> None:
    shots = [
        _shot(
            "1-01",
            description="Zoë walks into the café — “Bonjour”, she says. © 2024",
            dialogue=[DialogueLine(character="ZOË", text="It’s the élan, n’est-ce pas?")],
            on_screen_text="CAFÉ «LE MONDE»",
        )
    ]
    plan = _small_plan(shots, title="Café “Noir”")
    info = assemble_storyboard(plan, _renders(plan, tmp_path), tmp_path, tmp_path / "sb.pdf")
    text = "\n".join(_texts(info.path))
    for expected in [
        "Café “Noir”",
        "Zoë walks into the café — “Bonjour”, she says. © 2024",
        "ZOË: It’s the élan, n’est-ce pas?",
        "CAFÉ «LE MONDE»",
    ]:
        assert expected in text


def test_long_captions_are_cut_with_an_ellipsis(tmp_path) -> None:
    long = " ".join(["The rain keeps falling on the empty street outside."] * 12)
    shots = [
        _shot(
            "1-01",
            description=long,
            dialogue=[DialogueLine(character="STEEL", text=long) for _ in range(4)],
        ),
        _shot("1-02", description="Short."),
    ]
    plan = _small_plan(shots)
    info = assemble_storyboard(plan, _renders(plan, tmp_path), tmp_path, tmp_path / "sb.pdf")
    text = _texts(info.path)[1]
    assert "…" in text and "STEEL:" in text
    assert text.count("The rain keeps falling") < 12
    assert "1-02" in text and "Short." in text


def test_wrap_and_truncate() -> None:
    def width(text: str) -> float:
        return float(len(text))

    assert wrap("one two three four", 9, width) == ["one two", "three", "four"]
    assert wrap("abcdefghijkl", 5, width) == ["abcde", "fghij", "kl"]
    assert wrap("name text", 10, width, first_width=3) == ["", "name text"]
    assert truncate("short", 10, width) == "short"
    assert truncate("a rather long line", 10, width) == "a rather…"
    assert format_runtime(147.2) == "2:27" and format_runtime(8138.3) == "2:15:38"


def test_text_no_font_has_falls_back_to_a_cjk_font(tmp_path) -> None:
    if not Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf").is_file():
        pytest.skip("no CJK fallback font installed (fonts-droid-fallback)")
    plan = _plan("japanese_fullwidth.fountain")
    info = assemble_storyboard(plan, _renders(plan, tmp_path), tmp_path, tmp_path / "sb.pdf")
    text = "\n".join(_texts(info.path))
    assert "映画" in text and "匿名" in text
    assert "Wide on 病院-日, establishing the location." in text


def test_reportlab_settings_are_restored(brick, tmp_path) -> None:
    from reportlab import rl_config

    before = rl_config.useA85
    plan, renders, root = brick
    assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf", layout="1x3")
    assert rl_config.useA85 == before


# -- media --------------------------------------------------------------------------------


def test_a_clip_shows_its_middle_frame(tmp_path) -> None:
    ffmpeg = _storyboard_media.find_ffmpeg()
    if ffmpeg is None:
        pytest.skip("no ffmpeg")
    plan = _small_plan([_shot("1-01"), _shot("1-02")])
    renders = _renders(plan, tmp_path)
    clip = tmp_path / "shots" / "1-02.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=12:duration=1",
         "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )  # fmt: skip
    render = renders.renders[1].model_copy(
        update={"kind": "clip", "path": "shots/1-02.mp4", "duration_s": 1.0}
    )
    renders = renders.model_copy(update={"renders": [renders.renders[0], render]})
    info = assemble_storyboard(plan, renders, tmp_path, tmp_path / "sb.pdf")
    assert info.notes == []
    with pdfplumber.open(info.path) as pdf:
        assert len(pdf.pages[1].images) == 2


def test_a_clip_without_ffmpeg_is_a_placeholder(tmp_path, monkeypatch) -> None:
    plan = _small_plan([_shot("1-01")])
    renders = _renders(plan, tmp_path)
    render = renders.renders[0].model_copy(update={"kind": "clip"})
    renders = renders.model_copy(update={"renders": [render]})
    monkeypatch.setattr(_storyboard_media, "find_ffmpeg", lambda: None)
    info = assemble_storyboard(plan, renders, tmp_path, tmp_path / "sb.pdf")
    assert any("1-01" in note for note in info.notes)
    assert "clip" in _texts(info.path)[1]


# -- errors and atomic writes -------------------------------------------------------------


def test_a_missing_panel_names_the_shot_and_writes_nothing(brick, tmp_path) -> None:
    plan, renders, root = brick
    shot = plan.shots[7]
    renders = renders.model_copy(
        update={
            "renders": [
                r.model_copy(update={"path": "shots/gone.png"}) if r.shot_id == shot.id else r
                for r in renders.renders
            ]
        }
    )
    out = tmp_path / "sb.pdf"
    with pytest.raises(AssemblyError, match=f"shot {shot.id}"):
        assemble_storyboard(plan, renders, root, out)
    assert list(tmp_path.iterdir()) == []


def test_a_shot_without_a_render_names_the_shot(brick, tmp_path) -> None:
    plan, renders, root = brick
    renders = renders.model_copy(update={"renders": renders.renders[:-1]})
    with pytest.raises(AssemblyError, match=f"shot {plan.shots[-1].id} has no render"):
        assemble_storyboard(plan, renders, root, tmp_path / "sb.pdf")


def test_an_unreadable_image_names_the_shot_and_keeps_the_old_pdf(tmp_path) -> None:
    plan = _small_plan([_shot("1-01"), _shot("1-02")])
    renders = _renders(plan, tmp_path)
    out = tmp_path / "sb.pdf"
    out.write_bytes(b"the previous storyboard")
    (tmp_path / "shots" / "1-02.png").write_bytes(b"not a png at all")
    with pytest.raises(AssemblyError, match="shot 1-02: cannot read the still") as caught:
        assemble_storyboard(plan, renders, tmp_path, out)
    assert caught.value.path and caught.value.path.endswith("1-02.png")
    assert out.read_bytes() == b"the previous storyboard"
    assert not (tmp_path / ".sb.pdf.part").exists()


def test_a_failed_build_leaves_no_pdf(brick, tmp_path) -> None:
    plan, renders, root = brick
    out = tmp_path / "sb.pdf"

    def stop(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble_storyboard(plan, renders, root, out, on_page=stop)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_build_leaves_no_pdf(brick, tmp_path) -> None:
    plan, renders, root = brick
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    (tmp_path / "renders.json").write_text(renders.model_dump_json())
    out = tmp_path / "sb.pdf"
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from previz.assemble.storyboard import assemble_storyboard
        from render.model import load_render_set
        from shots.model import load_plan

        def die(done, total):
            if done == 3:
                os.kill(os.getpid(), signal.SIGKILL)

        assemble_storyboard(
            load_plan({str(tmp_path / "plan.json")!r}),
            load_render_set({str(tmp_path / "renders.json")!r}),
            Path({str(root)!r}),
            Path({str(out)!r}),
            on_page=die,
        )
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode != 0
    assert not out.exists()


def test_bad_arguments_are_assembly_errors(brick, tmp_path) -> None:
    plan, renders, root = brick
    with pytest.raises(AssemblyError, match="unknown storyboard layout '4x4'"):
        assemble_storyboard(plan, renders, root, tmp_path / "a.pdf", layout="4x4")  # type: ignore[arg-type]
    with pytest.raises(AssemblyError, match="no shots"):
        assemble_storyboard(
            plan.model_copy(update={"shots": []}), renders, root, tmp_path / "b.pdf"
        )
    broken = tmp_path / "broken.toml"
    broken.write_text("[page\n")
    with pytest.raises(AssemblyError, match="not valid TOML"):
        assemble_storyboard(plan, renders, root, tmp_path / "c.pdf", template=broken)
    assert not (tmp_path / "a.pdf").exists()
