"""Rich progress bars for the pipeline's stages."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["RichReporter"]

STAGE_LABELS = {
    "parse": "Parsing the script",
    "plan": "Planning shots",
    "render": "Rendering shots",
    "animatic": "Encoding the animatic",
    "storyboard": "Laying out the storyboard",
    "shotlist": "Writing the shot list",
    "timeline": "Writing edit timelines",
}


class RichReporter:
    """A :class:`previz.pipeline.Reporter` drawing one bar per stage."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def start(self, stage: str, total: int | None = None) -> None:
        label = STAGE_LABELS.get(stage, stage)
        self.tasks[stage] = self.progress.add_task(label, total=total)

    def advance(self, stage: str, steps: int = 1) -> None:
        if stage in self.tasks:
            self.progress.advance(self.tasks[stage], steps)

    def finish(self, stage: str) -> None:
        task = self.tasks.get(stage)
        if task is None:
            return
        total = self.progress.tasks[task].total
        if total is None:
            self.progress.update(task, total=1, completed=1)
        else:
            self.progress.update(task, completed=total)
