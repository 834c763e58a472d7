"""Errors on the terminal: shown as written, and missing extras named with their install."""

from __future__ import annotations

import pytest

from previz.console import print_error, require_extra
from previz.errors import MissingExtraError, PrevizError


def test_an_error_message_is_printed_as_text_not_markup(capsys: pytest.CaptureFixture) -> None:
    print_error(PrevizError("pip install 'previz[diffusion]' and retry [bold]now[/]"))
    err = capsys.readouterr().err
    assert "error: pip install 'previz[diffusion]' and retry [bold]now[/]" in err


def test_a_missing_extra_names_the_module_and_the_install() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require_extra("web", "json", "previz_no_such_module", feature="the review web app")
    message = str(caught.value)
    assert "the review web app needs 'previz_no_such_module'" in message
    assert "pip install 'previz[web]'" in message


def test_present_modules_pass() -> None:
    require_extra("web", "json", "typer", feature="nothing")
