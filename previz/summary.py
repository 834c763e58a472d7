"""Rich summaries of previz models for the terminal."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screenplay.model import Script

__all__ = ["format_runtime", "script_summary"]


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
