"""``python -m previz``: the same as the ``previz`` command."""

from previz.cli import app

app(prog_name="previz")
