"""The ``previz`` command line: a thin typed layer over the library.

Every command turns a :class:`~previz.errors.PrevizError` into a one-line message on
stderr and exit code 1; nothing previz expects ends in a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import BaseModel

if TYPE_CHECKING:
    from shots.model import ShotPlan

from previz import __version__
from previz.config import PrevizConfig
from previz.console import console, reports_errors
from previz.errors import PrevizError
from previz.fileio import write_atomically
from previz.models import models_app
from previz.web.cli_serve import serve
from previz.web.cli_users import users_app

app = typer.Typer(
    name="previz",
    help="Local-first previsualisation: screenplay in, shot plan, storyboard and animatic out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"previz {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """previz: see a script before anyone shoots it."""


def _write_json(model: BaseModel, output: Path | None, *, default: Path) -> Path | None:
    """Write ``model`` as JSON to ``output`` (``-``: stdout, then ``None``) or ``default``."""
    payload = model.model_dump_json(indent=2, exclude_none=True) + "\n"
    if output is not None and str(output) == "-":
        sys.stdout.write(payload)
        return None
    target = output or default
    try:
        write_atomically(target, payload)
    except OSError as exc:
        raise PrevizError(f"cannot write: {exc.strerror or exc}", path=target) from None
    return target


@app.command()
@reports_errors
def parse(
    script: Annotated[
        Path,
        typer.Argument(help="Screenplay: Fountain (.fountain, .txt), Final Draft (.fdx) or PDF."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the script JSON ('-' for stdout).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="fountain, fdx or pdf; detected from the content if omitted."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary.")] = False,
) -> None:
    """Parse a screenplay into script JSON (scenes, characters, locations, dialogue)."""
    from screenplay.base import PARSERS, parse_file

    if format is not None and format not in PARSERS:
        raise PrevizError(f"unknown format {format!r}; available: {', '.join(PARSERS.names())}")
    parsed = parse_file(script, format=format)  # type: ignore[arg-type]
    target = _write_json(parsed, output, default=Path(f"{script.stem}.script.json"))
    if target is None:
        return
    if not quiet:
        from previz.summary import script_summary

        console.print(script_summary(parsed))
    console.print(f"[green]wrote[/] {target}")


@app.command()
@reports_errors
def plan(
    script: Annotated[
        Path,
        typer.Argument(help="script.json from 'previz parse', or a screenplay (parsed first)."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Where to write plan.json ('-' for stdout).", show_default=False
        ),
    ] = None,
    planner: Annotated[
        str,
        typer.Option(
            "--planner",
            "-p",
            help="grammar (offline, deterministic), llm (any OpenAI-compatible endpoint), "
            "or auto: llm when an endpoint is configured, else grammar.",
        ),
    ] = "auto",
    style: Annotated[
        str, typer.Option("--style", "-s", help="Style preset name or a .toml file.")
    ] = "storyboard",
    aspect: Annotated[
        str | None,
        typer.Option(
            "--aspect", help="Aspect ratio: 2.39, 1.85, 16:9, 9:16, 1:1 (default: the style's)."
        ),
    ] = None,
    target_duration: Annotated[
        float | None,
        typer.Option(
            "--target-duration", "-t", min=0.5, help="Scale the plan to exactly this many seconds."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no table.")] = False,
) -> None:
    """Break a script into shots: size, angle, movement, lens, duration, prompt."""
    from previz.pipeline import plan_script
    from screenplay.base import load_script_or_parse
    from shots.base import check_coverage

    parsed = load_script_or_parse(script)
    config = _config(planner=planner, style=style, aspect=aspect, target_duration_s=target_duration)
    shot_plan = plan_script(parsed, config)
    stem = Path(script.name.removesuffix(".json").removesuffix(".script")).stem
    target = _write_json(shot_plan, output, default=Path(f"{stem}.plan.json"))
    if target is None:
        return
    if not quiet:
        from previz.summary import plan_table

        console.print(plan_table(shot_plan, coverage=check_coverage(parsed, shot_plan)))
    console.print(f"[green]wrote[/] {target}")


Layout = Annotated[
    str, typer.Option("--layout", help="Storyboard panels per page: 3x2, 2x2 or 1x3.")
]
Backend = Annotated[
    str, typer.Option("--backend", "-b", help="Render backend: sketch (CPU), or a diffusion one.")
]
Captions = Annotated[
    bool, typer.Option("--captions/--no-captions", help="Burn dialogue into the animatic.")
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Diffusion backends: hub id (pulled with 'previz models pull') or model folder.",
    ),
]
Device = Annotated[
    str, typer.Option("--device", help="Diffusion backends: auto, cuda, mps or cpu.")
]
IPAdapter = Annotated[
    str | None,
    typer.Option(
        "--ip-adapter",
        help="diffusers-image: IP-Adapter PATH_OR_ID[:subfolder/weight_name]; characters' "
        "reference_image then conditions their shots (e.g. h94/IP-Adapter).",
    ),
]
IPAdapterScale = Annotated[
    float | None,
    typer.Option("--ip-adapter-scale", min=0, help="How strongly a reference steers (0.6)."),
]
Slate = Annotated[bool, typer.Option("--slate/--no-slate", help="Scene and shot id in a corner.")]
Audio = Annotated[
    bool, typer.Option("--audio/--no-audio", help="Scratch dialogue track (needs espeak-ng).")
]


def _config(**values: object) -> PrevizConfig:
    from pydantic import ValidationError

    try:
        return PrevizConfig(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PrevizError(f"invalid option: {problems}") from None


@app.command()
@reports_errors
def run(
    script: Annotated[Path, typer.Argument(help="Screenplay (Fountain, FDX, PDF) or script.json.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path(
        "previz-out"
    ),
    planner: Annotated[str, typer.Option("--planner", "-p", help="grammar, llm or auto.")] = "auto",
    backend: Backend = "sketch",
    style: Annotated[str, typer.Option("--style", "-s", help="Style preset or .toml.")] = (
        "storyboard"
    ),
    aspect: Annotated[
        str | None, typer.Option("--aspect", help="2.39, 1.85, 16:9, 9:16, 1:1.")
    ] = None,
    target_duration: Annotated[
        float | None, typer.Option("--target-duration", "-t", min=0.5, help="Total seconds.")
    ] = None,
    layout: Layout = "3x2",
    captions: Captions = True,
    slate: Slate = True,
    audio: Audio = True,
    long_side: Annotated[
        int, typer.Option("--long-side", help="Pixels on the long side of panels and animatic.")
    ] = 1280,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    model: Model = None,
    device: Device = "auto",
    steps: Annotated[
        int | None,
        typer.Option("--steps", min=1, help="Diffusion backends: denoising steps (model default)."),
    ] = None,
    still_model: Annotated[
        str | None,
        typer.Option(
            "--still-model",
            help="diffusers-video: start each clip from this image model's still (LTX-Video).",
        ),
    ] = None,
    ip_adapter: IPAdapter = None,
    ip_adapter_scale: IPAdapterScale = None,
) -> None:
    """Script to every deliverable: plan, panels, animatic, PDF storyboard, shot list, timelines.

    Run it again after a kill, or after editing the script, and only what changed renders.
    """
    from previz.pipeline import run as run_pipeline
    from previz.progress import RichReporter
    from previz.summary import run_summary

    config = _config(
        planner=planner,
        backend=backend,
        style=style,
        aspect=aspect,
        target_duration_s=target_duration,
        layout=layout,
        captions=captions,
        slate=slate,
        audio=audio,
        long_side=long_side,
        model=model,
        device=device,
        steps=steps,
        still_model=still_model,
        ip_adapter=ip_adapter,
        ip_adapter_scale=ip_adapter_scale,
    )
    if quiet:
        manifest = run_pipeline(script, output, config)
    else:
        with RichReporter(console) as reporter:
            manifest = run_pipeline(script, output, config, reporter=reporter)
        console.print(run_summary(manifest, output))


def _plan_and_folder(plan_path: Path, output: Path | None) -> tuple[ShotPlan, Path]:
    from shots.model import load_plan

    return load_plan(plan_path), (output or plan_path.parent)


def _render_config(folder: Path, backend: str | None, **values: object) -> PrevizConfig:
    """Settings for re-rendering in ``folder``: backend and size as its last render had
    them (so cached shots are found), unless given."""
    from render.model import load_render_set

    long_side = None
    previous = folder / "renders.json"
    if previous.exists():
        renders = load_render_set(previous)
        backend = backend or renders.backend
        long_side = max(renders.width, renders.height)
    return _config(backend=backend, long_side=long_side, **values)


RenderBackendOption = Annotated[
    str | None,
    typer.Option("--backend", "-b", help="Render backend (default: the folder's last one)."),
]


@app.command()
@reports_errors
def render(
    plan_path: Annotated[
        Path, typer.Argument(metavar="PLAN", help="plan.json (hand edits welcome).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default: the plan's).")
    ] = None,
    shot: Annotated[
        list[str] | None, typer.Option("--shot", help="Render only this shot id (repeatable).")
    ] = None,
    backend: RenderBackendOption = None,
    model: Model = None,
    device: Device = "auto",
    ip_adapter: IPAdapter = None,
    ip_adapter_scale: IPAdapterScale = None,
) -> None:
    """Render a plan's shots; with --shot, just those (the rest come from the cache)."""
    from previz.pipeline import render_shots
    from previz.progress import RichReporter

    plan, folder = _plan_and_folder(plan_path, output)
    with RichReporter(console) as reporter:
        config = _render_config(
            folder,
            backend,
            model=model,
            device=device,
            ip_adapter=ip_adapter,
            ip_adapter_scale=ip_adapter_scale,
        )
        renders = render_shots(
            plan, folder, config, reporter=reporter, only=shot, plan_dir=plan_path.parent
        )
    fresh = sum(1 for r in renders.renders if not r.cached)
    missing = len(plan.shots) - len(renders.renders)
    console.print(
        f"[green]rendered[/] {fresh} shot(s), {len(renders.renders) - fresh} from the cache"
        + (f", [yellow]{missing} not rendered yet[/]" if missing else "")
        + f" → {folder / 'shots'}"
    )


@app.command()
@reports_errors
def assemble(
    plan_path: Annotated[
        Path, typer.Argument(metavar="PLAN", help="plan.json (hand edits welcome).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder (default: the plan's).")
    ] = None,
    backend: RenderBackendOption = None,
    layout: Layout = "3x2",
    captions: Captions = True,
    slate: Slate = True,
    audio: Audio = True,
    model: Model = None,
    device: Device = "auto",
    ip_adapter: IPAdapter = None,
    ip_adapter_scale: IPAdapterScale = None,
) -> None:
    """Rebuild every deliverable from a (hand-edited) plan; changed shots render again."""
    from previz.pipeline import assemble as assemble_deliverables
    from previz.pipeline import render_shots
    from previz.progress import RichReporter
    from previz.summary import run_summary

    plan, folder = _plan_and_folder(plan_path, output)
    config = _render_config(
        folder,
        backend,
        layout=layout,
        captions=captions,
        slate=slate,
        audio=audio,
        model=model,
        device=device,
        ip_adapter=ip_adapter,
        ip_adapter_scale=ip_adapter_scale,
    )
    with RichReporter(console) as reporter:
        renders = render_shots(plan, folder, config, reporter=reporter, plan_dir=plan_path.parent)
        manifest = assemble_deliverables(plan, renders, folder, config, reporter=reporter)
    console.print(run_summary(manifest, folder))


app.add_typer(models_app, name="models")
app.command(name="serve")(serve)
app.add_typer(users_app, name="users")

if __name__ == "__main__":  # pragma: no cover
    app()
