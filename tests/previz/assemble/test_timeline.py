"""Edit timelines: .otio, FCP 7 XML and CMX 3600 EDL, read back through the OTIO adapters."""

from __future__ import annotations

import itertools
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from previz.assemble._animatic_frames import plan_edges
from previz.assemble.timeline import TimelineInfo, reel_for_shot, write_timelines
from previz.assemble.timing import frame_boundaries, transition_halves
from previz.errors import AssemblyError
from render.model import RenderSet, ShotRender
from screenplay.base import parse_file
from shots.grammar import GrammarPlanner
from shots.model import DialogueLine, ShotPlan
from shots.style import load_style
from tests.conftest import DATA

otio = pytest.importorskip("opentimelineio")

CURLY = "“Don’t,” she said — ‘twice’…"


def _plan(name: str) -> ShotPlan:
    return GrammarPlanner().plan(parse_file(DATA / f"{name}.fountain"), style=load_style())


def _renders(plan: ShotPlan, root: Path, kinds: dict[str, str] | None = None) -> RenderSet:
    """A tiny PNG per shot under ``root/renders`` (or a stand-in file for a ``clip``)."""
    (root / "renders").mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (32, 18), (90, 90, 90))
    renders = []
    for shot in plan.shots:
        kind = (kinds or {}).get(shot.id, "still")
        name = f"renders/{shot.id}.{'png' if kind == 'still' else 'mp4'}"
        if kind == "still":
            image.save(root / name)
        else:
            (root / name).write_bytes(b"not really a video")
        renders.append(
            ShotRender(
                shot_id=shot.id,
                kind=kind,
                path=name,
                width=32,
                height=18,
                backend="test",
                cache_key=shot.id,
                duration_s=1.0 if kind == "clip" else None,
            )
        )
    return RenderSet(plan_sha256="0" * 64, backend="test", width=32, height=18, renders=renders)


@pytest.fixture(scope="module")
def plan() -> ShotPlan:
    """brick_and_steel with two dissolves, a fade, curly quotes and a parenthetical."""
    plan = _plan("brick_and_steel")
    shots = list(plan.shots)
    shots[3] = shots[3].model_copy(
        update={
            "dialogue": [
                DialogueLine(character="STEEL", text=CURLY, extension="V.O."),
                DialogueLine(character="BRICK", text="Fine.", parenthetical="beat"),
            ]
        }
    )
    for index in (5, 12):
        shots[index] = shots[index].model_copy(update={"transition": "dissolve"})
    return plan.model_copy(update={"shots": shots})


@pytest.fixture(scope="module")
def written(plan: ShotPlan, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TimelineInfo]:
    root = tmp_path_factory.mktemp("run")
    renders = _renders(plan, root)
    return root, write_timelines(plan, renders, root, root / "edit")


def _frames(plan: ShotPlan) -> list[int]:
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    return [end - start for start, end in itertools.pairwise(bounds)]


def _url_path(url: str) -> Path:
    return Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))


def _clips(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    (track,) = timeline.video_tracks()
    return [item for item in track if isinstance(item, otio.schema.Clip)]


# --- the frame accounting ------------------------------------------------------------


def test_timeline_transitions_last_as_long_as_the_animatics(plan: ShotPlan) -> None:
    frames, kinds = _frames(plan), [shot.transition for shot in plan.shots]
    edges = plan_edges(frames, kinds)
    halves = transition_halves(frames, kinds)
    for index, (kind, edge, half) in enumerate(zip(kinds, edges, halves, strict=True)):
        if index and kind == "dissolve":
            assert half == edge.dissolve_in
        elif index and kind == "fade":
            assert half == edge.fade_in
        else:
            assert half == 0


def test_reel_names_are_edl_safe() -> None:
    assert reel_for_shot("3-05") == "3_05"
    assert reel_for_shot("12a-02") == "12A_02"
    assert reel_for_shot("") == "SHOT"


# --- timeline.otio ---------------------------------------------------------------------


def test_info_matches_the_plan(plan: ShotPlan, written: tuple[Path, TimelineInfo]) -> None:
    root, info = written
    assert info.paths == [
        root / "edit" / n for n in ("timeline.otio", "timeline.xml", "timeline.edl")
    ]
    assert all(path.is_file() for path in info.paths)
    assert info.clips == len(plan.shots)
    assert info.frames == sum(_frames(plan))
    assert info.fps == plan.fps and info.duration_s == info.frames / plan.fps
    assert info.transitions == 3  # two dissolves and the fade into the last shot
    assert any("dissolves and fades" in note for note in info.notes)
    assert not list((root / "edit").glob(".*.part"))


def test_otio_clips_durations_and_media(plan: ShotPlan, written: tuple[Path, TimelineInfo]) -> None:
    root, info = written
    timeline = otio.adapters.read_from_file(str(info.otio_path))
    clips = _clips(timeline)
    assert [clip.name for clip in clips] == [f"{shot.id} {shot.size}" for shot in plan.shots]
    assert [clip.duration().to_frames() for clip in clips] == _frames(plan)
    assert timeline.duration().to_frames() == info.frames
    assert timeline.duration().rate == plan.fps
    for clip, shot in zip(clips, plan.shots, strict=True):
        reference = clip.media_reference
        assert isinstance(reference, otio.schema.ExternalReference)
        assert reference.target_url.startswith("file://")
        path = _url_path(reference.target_url)
        assert path.is_file() and path == (root / "renders" / f"{shot.id}.png").resolve()
        assert (info.otio_path.parent / clip.metadata["previz"]["media"]).resolve() == path
        available = reference.available_range
        assert available.start_time <= clip.source_range.start_time
        assert clip.source_range.end_time_exclusive() <= available.end_time_exclusive()
        assert clip.metadata["cmx_3600"]["reel"] == reel_for_shot(shot.id)
        assert clip.metadata["previz"]["shot"]["id"] == shot.id
        assert clip.metadata["previz"]["shot"]["prompt"] == shot.prompt


def test_otio_scene_and_dialogue_markers(
    plan: ShotPlan, written: tuple[Path, TimelineInfo]
) -> None:
    timeline = otio.adapters.read_from_file(str(written[1].otio_path))
    clips = _clips(timeline)
    headings = {scene.id: scene for scene in plan.scenes}
    seen: set[str] = set()
    for clip, shot in zip(clips, plan.shots, strict=True):
        scene_markers = [m for m in clip.markers if m.metadata["previz"]["kind"] == "scene"]
        if shot.scene_id in seen:
            assert not scene_markers
        else:
            seen.add(shot.scene_id)
            (marker,) = scene_markers
            scene = headings[shot.scene_id]
            assert marker.name == f"SC {scene.number}: {scene.heading}"
            assert marker.color == otio.schema.MarkerColor.GREEN
        lines = [m for m in clip.markers if m.metadata["previz"]["kind"] == "dialogue"]
        assert [m.name for m in lines] == [
            f"{line.character}{f' ({line.extension})' if line.extension else ''}: {line.text}"
            for line in shot.dialogue
        ]
        for marker in lines:
            assert clip.source_range.contains(marker.marked_range.start_time)
    spoken = [m for m in clips[3].markers if m.metadata["previz"]["kind"] == "dialogue"]
    assert spoken[0].name == f"STEEL (V.O.): {CURLY}"
    assert spoken[1].comment == "BRICK: (beat) Fine."
    assert spoken[1].marked_range.start_time > spoken[0].marked_range.start_time


def test_otio_transitions_match_the_animatic(
    plan: ShotPlan, written: tuple[Path, TimelineInfo]
) -> None:
    timeline = otio.adapters.read_from_file(str(written[1].otio_path))
    (track,) = timeline.video_tracks()
    transitions = [item for item in track if isinstance(item, otio.schema.Transition)]
    halves = transition_halves(_frames(plan), [shot.transition for shot in plan.shots])
    expected = [(plan.shots[i].transition, h) for i, h in enumerate(halves) if h]
    got = [(t.metadata["previz"]["transition"], t.in_offset.to_frames()) for t in transitions]
    assert got == expected
    assert [t.transition_type for t in transitions[:2]] == ["SMPTE_Dissolve"] * 2
    for transition in transitions:
        assert transition.in_offset == transition.out_offset
        after = track[track.index(transition) + 1]
        # The clip after a transition starts late enough for the media it needs before the cut.
        assert after.source_range.start_time == transition.in_offset


# --- timeline.xml (FCP 7) ------------------------------------------------------------


def test_fcp_xml_reads_back(plan: ShotPlan, written: tuple[Path, TimelineInfo]) -> None:
    _, info = written
    timeline = otio.adapters.read_from_file(str(info.fcp_xml_path), adapter_name="fcp_xml")
    clips = _clips(timeline)
    assert [clip.name for clip in clips] == [f"{shot.id} {shot.size}" for shot in plan.shots]
    assert [clip.duration().to_frames() for clip in clips] == _frames(plan)
    assert timeline.duration().to_frames() == info.frames
    for clip in clips:
        assert _url_path(clip.media_reference.target_url).is_file()
    (track,) = timeline.video_tracks()
    assert sum(isinstance(item, otio.schema.Transition) for item in track) == info.transitions
    names = [marker.name for marker in clips[3].markers]
    assert f"STEEL (V.O.): {CURLY}" in names
    text = info.fcp_xml_path.read_text(encoding="utf-8")
    assert "<comment>BRICK: (beat) Fine.</comment>" in text
    assert "<effectid>Cross Dissolve</effectid>" in text
    assert "<effectid>Dip to Color Dissolve</effectid>" in text
    assert "<width>32</width>" in text  # the sequence's frame size and the stills'


# --- timeline.edl (CMX 3600) ---------------------------------------------------------


def test_edl_reads_back_with_reels_and_durations(
    plan: ShotPlan, written: tuple[Path, TimelineInfo]
) -> None:
    _, info = written
    timeline = otio.adapters.read_from_file(
        str(info.edl_path), adapter_name="cmx_3600", rate=plan.fps
    )
    clips = _clips(timeline)
    assert len(clips) == len(plan.shots)
    assert [clip.metadata["cmx_3600"]["reel"] for clip in clips] == [
        reel_for_shot(shot.id) for shot in plan.shots
    ]
    assert [clip.duration().to_frames() for clip in clips] == _frames(plan)
    assert timeline.duration().to_frames() == info.frames
    for clip, shot in zip(clips, plan.shots, strict=True):
        assert clip.name == f"{shot.id} {shot.size}"
        assert _url_path(clip.media_reference.target_url).name == f"{shot.id}.png"
    (track,) = timeline.video_tracks()
    assert not any(isinstance(item, otio.schema.Transition) for item in track)


def test_edl_text_carries_dialogue_and_dissolve_comments(
    plan: ShotPlan, written: tuple[Path, TimelineInfo]
) -> None:
    _, info = written
    raw = info.edl_path.read_bytes()
    assert raw.isascii()
    text = raw.decode("ascii")
    assert "* LOC: " in text
    assert "YELLOW  STEEL (V.O.): \"Don't,\" she said - 'twice'..." in text
    assert "YELLOW  BRICK: Fine." in text
    for shot in plan.shots:
        for line in shot.dialogue:
            if line.text.isascii():
                assert f"{line.character}: {line.text}" in text
    assert text.count("* PREVIZ: DISSOLVE 12 FRAMES FROM") == 2
    assert text.count("* PREVIZ: DIP TO BLACK 24 FRAMES FROM") == 1
    assert "TRUNCATED REEL NAME" not in text


def test_edl_locators_are_at_record_timecode(
    plan: ShotPlan, written: tuple[Path, TimelineInfo]
) -> None:
    """Avid reads ``* LOC:`` as sequence time (the adapter writes source time: OTIO #169)."""
    _, info = written
    fps = plan.fps
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], fps)
    event, locators = -1, 0
    for line in info.edl_path.read_text(encoding="ascii").splitlines():
        fields = line.split()
        if fields and fields[0].isdigit():
            event = int(fields[0]) - 1
            record_in = otio.opentime.from_timecode(fields[-2], fps).to_frames()
            assert record_in == bounds[event]
        elif line.startswith("* LOC: "):
            at = otio.opentime.from_timecode(line.split()[2], fps).to_frames()
            assert bounds[event] <= at < bounds[event + 1], line
            locators += 1
    markers = len(plan.scenes) + sum(len(shot.dialogue) for shot in plan.shots)
    assert locators == markers


# --- edge cases and errors -----------------------------------------------------------


def test_short_shots_and_short_clips_get_notes(plan: ShotPlan, tmp_path: Path) -> None:
    shots = list(plan.shots[:4])
    shots[1] = shots[1].model_copy(update={"duration_s": 0.01})
    short = plan.model_copy(update={"shots": shots})
    renders = _renders(short, tmp_path, kinds={shots[2].id: "clip"})
    info = write_timelines(short, renders, tmp_path, tmp_path / "edit")
    assert info.clips == 3
    assert info.frames == sum(_frames(short))
    assert any(f"shot {shots[1].id} is shorter than one frame" in n for n in info.notes)
    assert any(f"shot {shots[2].id}: its clip lasts 24 frames" in n for n in info.notes)
    timeline = otio.adapters.read_from_file(str(info.edl_path), adapter_name="cmx_3600")
    assert len(_clips(timeline)) == 3


def test_reel_clashes_and_long_reels_get_notes(plan: ShotPlan, tmp_path: Path) -> None:
    shots = list(plan.shots[:3])
    shots[1] = shots[1].model_copy(update={"id": shots[0].id.replace("-", ".")})
    shots[2] = shots[2].model_copy(update={"id": "12ABC-0042"})
    odd = plan.model_copy(update={"shots": shots})
    info = write_timelines(odd, _renders(odd, tmp_path), tmp_path, tmp_path / "edit")
    reel = reel_for_shot(shots[0].id)
    assert any(f"share reel {reel}" in note for note in info.notes)
    assert any("longer than CMX 3600's 8 characters (12ABC_0042)" in n for n in info.notes)
    edl = otio.adapters.read_from_file(str(info.edl_path), adapter_name="cmx_3600")
    reels = [clip.metadata["cmx_3600"]["reel"] for clip in _clips(edl)]
    assert reels == [reel, f"{reel}_2", "12ABC_0042"]


def test_missing_render_or_media_is_an_assembly_error(plan: ShotPlan, tmp_path: Path) -> None:
    renders = _renders(plan, tmp_path)
    partial = renders.model_copy(update={"renders": renders.renders[1:]})
    with pytest.raises(AssemblyError, match=f"shot {plan.shots[0].id} has no render"):
        write_timelines(plan, partial, tmp_path, tmp_path / "edit")
    (tmp_path / renders.renders[2].path).unlink()
    with pytest.raises(AssemblyError, match="still not found"):
        write_timelines(plan, renders, tmp_path, tmp_path / "edit")
    assert not (tmp_path / "edit").exists()


def test_adapter_failure_names_the_adapter_and_keeps_the_old_file(
    plan: ShotPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = _renders(plan, tmp_path)
    out = tmp_path / "edit"
    out.mkdir()
    (out / "timeline.xml").write_text("old")
    real = otio.adapters.write_to_string

    def broken(timeline, adapter_name="otio_json", **options):  # type: ignore[no-untyped-def]
        if adapter_name == "fcp_xml":
            raise ValueError("Unsupported item")
        return real(timeline, adapter_name, **options)

    monkeypatch.setattr(otio.adapters, "write_to_string", broken)
    with pytest.raises(AssemblyError, match="fcp_xml adapter failed: ValueError: Unsupported"):
        write_timelines(plan, renders, tmp_path, out)
    assert (out / "timeline.xml").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["timeline.xml"]


def test_missing_adapter_says_what_to_install(
    plan: ShotPlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = _renders(plan, tmp_path)

    def missing(timeline, adapter_name="otio_json", **options):  # type: ignore[no-untyped-def]
        raise otio.exceptions.NotSupportedError(f"Could not find plugin: {adapter_name!r}")

    monkeypatch.setattr(otio.adapters, "write_to_string", missing)
    monkeypatch.setattr(otio.adapters, "available_adapter_names", lambda: ["otio_json"])
    with pytest.raises(AssemblyError, match="pip install otio-fcp-adapter"):
        write_timelines(plan, renders, tmp_path, tmp_path / "edit")


def test_empty_plan_is_an_assembly_error(plan: ShotPlan, tmp_path: Path) -> None:
    empty = plan.model_copy(update={"shots": []})
    renders = RenderSet(plan_sha256="0" * 64, backend="test", width=32, height=18)
    with pytest.raises(AssemblyError, match="no shots"):
        write_timelines(empty, renders, tmp_path, tmp_path / "edit")


# --- a feature film ------------------------------------------------------------------


def test_big_fish_through_every_format(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """1,900+ shots: every format holds every frame (and the EDL passes 999 events)."""
    plan = _plan("big_fish")
    assert len(plan.shots) > 1900
    renders = _renders(plan, tmp_path)
    started = time.perf_counter()
    info = write_timelines(plan, renders, tmp_path, tmp_path / "edit")
    seconds = time.perf_counter() - started
    total = sum(_frames(plan))
    assert info.frames == total
    assert any("more than the 999" in note for note in info.notes)
    assert otio.adapters.read_from_file(str(info.otio_path)).duration().to_frames() == total
    fcp = otio.adapters.read_from_file(str(info.fcp_xml_path), adapter_name="fcp_xml")
    assert fcp.duration().to_frames() == total
    edl = otio.adapters.read_from_file(str(info.edl_path), adapter_name="cmx_3600", rate=plan.fps)
    assert edl.duration().to_frames() == total
    assert len(_clips(edl)) == info.clips
    with capsys.disabled():
        print(f"\nbig_fish: {info.clips} clips, {total} frames, timelines in {seconds:.1f} s")
