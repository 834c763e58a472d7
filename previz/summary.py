"""Rich summaries of previz models for the terminal."""

from __future__ import annotations

from pathlib import Path

from rich.columns import Columns
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from previz.deliverables import Deliverables
from render.provenance import C2PA_SIGNED, C2PA_UNSIGNED
from screenplay.model import Script
from shots.base import Coverage
from shots.model import ShotPlan

__all__ = ["format_runtime", "plan_table", "run_summary", "script_summary"]


def format_runtime(seconds: float) -> str:
    """``1h 02m``, ``12m 30s`` or ``45s``."""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def script_summary(script: Script, *, top: int = 12) -> Panel:
    """A panel with the script's title, counts, main characters and warnings."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    page = script.title_page
    if page.authors:
        facts.add_row("Written by", ", ".join(page.authors))
    if page.draft_date:
        facts.add_row("Draft", page.draft_date)
    facts.add_row("Source", f"{script.source.name} ({script.source.format})")
    headed = [s for s in script.scenes if s.heading is not None]
    scenes = f"{len(headed)}"
    if len(headed) != len(script.scenes):
        scenes += " + opening"
    facts.add_row("Scenes", scenes)
    facts.add_row("Characters", str(len(script.characters)))
    facts.add_row("Locations", str(len(script.locations)))
    facts.add_row("Pages", f"{script.page_count:g}")
    facts.add_row("Est. runtime", format_runtime(script.estimated_runtime_s))

    cast = Table(title="Main characters", title_justify="left", expand=False)
    cast.add_column("Character", style="cyan", no_wrap=True)
    cast.add_column("Lines", justify="right")
    cast.add_column("Scenes", justify="right")
    cast.add_column("Description", overflow="fold", max_width=48)
    for character in script.characters[:top]:
        cast.add_row(
            character.name,
            str(character.dialogue_count),
            str(len(character.scenes)),
            character.description or "",
        )
    parts: list[Table | Text] = [facts, cast]
    if len(script.characters) > top:
        parts.append(Text(f"… and {len(script.characters) - top} more", style="dim"))
    for warning in script.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Panel(
        Group(*parts), title=Text(script.title.replace("\n", " "), style="bold"), expand=False
    )


def plan_table(plan: ShotPlan, *, coverage: Coverage | None = None, limit: int = 400) -> Group:
    """The plan as a table of shots, with its total runtime and coverage."""
    table = Table(title=plan.title.replace("\n", " ") or None, title_justify="left")
    table.add_column("Shot", style="cyan", no_wrap=True)
    table.add_column("Size", no_wrap=True)
    table.add_column("Angle", no_wrap=True)
    table.add_column("Move", no_wrap=True)
    table.add_column("Lens", justify="right", no_wrap=True)
    table.add_column("Dur", justify="right", no_wrap=True)
    table.add_column("Subjects", overflow="fold", max_width=22)
    table.add_column("Description", overflow="fold", max_width=60)
    for shot in plan.shots[:limit]:
        table.add_row(
            shot.id,
            shot.size,
            shot.angle,
            shot.movement,
            f"{shot.lens_mm}mm",
            f"{shot.duration_s:.1f}s",
            ", ".join(shot.subjects),
            shot.description,
        )
    lines: list[Table | Text] = [table]
    if len(plan.shots) > limit:
        lines.append(Text(f"… and {len(plan.shots) - limit} more shots", style="dim"))
    total = Text.assemble(
        ("Shots ", "bold"),
        f"{len(plan.shots)}   ",
        ("Runtime ", "bold"),
        f"{format_runtime(plan.duration_s)} ({plan.duration_s:.1f} s)   ",
        ("Planner ", "bold"),
        plan.planner.name,
        ("   Style ", "bold"),
        f"{plan.style.name} {plan.style.aspect_ratio}",
    )
    if coverage is not None:
        total.append("   Coverage ", style="bold")
        total.append(
            f"{coverage.covered}/{coverage.total} ({coverage.ratio:.0%})",
            style="green" if not coverage.missing else "yellow",
        )
    lines.append(total)
    for warning in plan.warnings[:20]:
        lines.append(Text(f"warning: {warning}", style="yellow"))
    if len(plan.warnings) > 20:
        lines.append(Text(f"… and {len(plan.warnings) - 20} more warnings", style="yellow"))
    return Group(*lines)


def run_summary(manifest: Deliverables, out_dir: Path) -> Panel:
    """What a run made, where, and how long each stage took."""
    files = Table(title="Deliverables", title_justify="left")
    files.add_column("File", style="cyan", no_wrap=True)
    files.add_column("Size", justify="right")
    for item in manifest.files.values():
        files.add_row(item.path, _size(item.bytes))
    stages = Table(title="Stages", title_justify="left")
    stages.add_column("Stage")
    stages.add_column("Seconds", justify="right")
    for name, seconds in manifest.stages.items():
        stages.add_row(name, f"{seconds:.2f}")
    stages.add_row("[bold]total", f"[bold]{sum(manifest.stages.values()):.2f}")
    facts = Text.assemble(
        ("Scenes ", "bold"),
        f"{manifest.scenes}   ",
        ("Shots ", "bold"),
        f"{manifest.shots} ({manifest.rendered} rendered, "
        f"{manifest.shots - manifest.rendered} from cache)   ",
        ("Runtime ", "bold"),
        format_runtime(manifest.runtime_s),
    )
    parts: list[Table | Text] = [facts, Columns([files, stages])]  # type: ignore[list-item]
    parts.extend(_note(note) for note in manifest.notes)
    return Panel(Group(*parts), title=Text(str(out_dir), style="bold"), expand=False)


def _note(note: str) -> Text:
    """A note line; the provenance note (C2PA signed, or why not) gets a label of its own."""
    if note.startswith(C2PA_SIGNED):
        return Text.assemble(("Provenance ", "bold"), (note, "green"))
    if note.startswith(C2PA_UNSIGNED):
        return Text.assemble(("Provenance ", "bold"), (note, "yellow"))
    return Text(f"note: {note}", style="yellow")


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return f"{count} B"
