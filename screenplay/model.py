"""The script model: what every parser produces and every later stage reads.

Versioned pydantic models that serialise to JSON and load back losslessly. The model
knows no file format; parsers in this package build it through :mod:`screenplay.build`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCRIPT_SCHEMA = "Script.1"

IntExt = Literal["INT", "EXT", "INT/EXT", "EST"]
SourceFormat = Literal["fountain", "fdx", "pdf"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class _ElementBase(_Model):
    text: str = ""
    """The element's text, emphasis markup removed; line breaks kept as ``\\n``."""
    line: int | None = None
    """1-based line in the source file (Fountain, FDX), when known."""
    page: int | None = None
    """1-based page: the printed page for PDFs, an estimate for other formats."""


class Action(_ElementBase):
    """Scene description: what we see and hear."""

    kind: Literal["action"] = "action"


class DialoguePart(_Model):
    """One run of a dialogue block, in script order: speech, a parenthetical, or sung lyrics."""

    kind: Literal["speech", "parenthetical", "lyrics"]
    text: str


class Dialogue(_ElementBase):
    """One character cue and what follows it: speech with any parentheticals.

    ``text`` is what is spoken or sung (parentheticals removed); ``parts`` keeps speech,
    lyrics and parentheticals interleaved as written.
    """

    kind: Literal["dialogue"] = "dialogue"
    character: str
    """Canonical character name (see :class:`Character`), extensions stripped."""
    cue: str
    """The cue as written, e.g. ``EDWARD (V.O.)(CONT'D)``."""
    extension: str | None = None
    """``V.O.``, ``O.S.``, ``O.C.``, ``ON PHONE``, ...; ``CONT'D`` is kept in ``contd``."""
    contd: bool = False
    parenthetical: str | None = None
    """The first parenthetical of the block, without its brackets."""
    parts: list[DialoguePart] = Field(default_factory=list)
    dual: Literal["left", "right"] | None = None
    """Set on both blocks of a dual-dialogue pair: which column the block is printed in."""


class Transition(_ElementBase):
    """``CUT TO:``, ``SMASH CUT TO:``, ``FADE OUT.`` and forced transitions."""

    kind: Literal["transition"] = "transition"


class ShotDirection(_ElementBase):
    """An explicit camera direction the writer gave (Final Draft's Shot paragraph)."""

    kind: Literal["shot"] = "shot"


class Centered(_ElementBase):
    """Centered text (titles, ``THE END``)."""

    kind: Literal["centered"] = "centered"


class Lyrics(_ElementBase):
    """Sung lines."""

    kind: Literal["lyrics"] = "lyrics"


class Note(_ElementBase):
    """A writer's note (``[[ ]]`` in Fountain): never screen content."""

    kind: Literal["note"] = "note"


class PageBreak(_ElementBase):
    """A forced page break."""

    kind: Literal["page_break"] = "page_break"


class Section(_ElementBase):
    """A structural heading (act, sequence); ``level`` 1 is outermost. Not screen content."""

    kind: Literal["section"] = "section"
    level: int = 1


class Synopsis(_ElementBase):
    """A writer's summary of the section or scene it follows. Not screen content."""

    kind: Literal["synopsis"] = "synopsis"


Element = Annotated[
    Action
    | Dialogue
    | Transition
    | ShotDirection
    | Centered
    | Lyrics
    | Note
    | PageBreak
    | Section
    | Synopsis,
    Field(discriminator="kind"),
]

SCREEN_KINDS = frozenset({"action", "dialogue", "shot", "centered", "lyrics"})
"""Element kinds that describe what is seen or heard on screen."""


class Scene(_Model):
    """A scene: its heading and the elements up to the next heading.

    The opening of a script, when it has screen content before the first heading (Big Fish
    opens on a river under a voice-over), is a scene of its own with ``heading`` ``None``
    and ``number`` ``"0"``.
    """

    id: str
    """Stable identifier, ``sc001`` for the first scene in order (``sc000`` for an opening)."""
    number: str
    """The script's own scene number (``12A``) where given, else the scene's ordinal."""
    numbered: bool = False
    """Whether ``number`` was written in the script."""
    heading: str | None = None
    """The heading as written (a forced heading without its leading dot)."""
    forced: bool = False
    int_ext: IntExt | None = None
    location: str | None = None
    time_of_day: str | None = None
    """Normalised: ``DAY``, ``NIGHT``, ``DAWN``, ``DUSK``, ``CONTINUOUS``, ``LATER``, ..."""
    time_note: str | None = None
    """Anything after the time of day, e.g. ``(1973)``."""
    section: str | None = None
    """Title of the innermost section containing the scene."""
    section_path: list[str] = Field(default_factory=list)
    """Section titles from outermost to innermost."""
    synopsis: str | None = None
    elements: list[Element] = Field(default_factory=list)
    line: int | None = None
    page: int | None = None
    """Page the scene starts on (printed for PDF, estimated otherwise)."""
    length_eighths: int = 0
    """Length in eighths of a page, the unit of production breakdowns."""

    @property
    def length_pages(self) -> float:
        return self.length_eighths / 8

    @property
    def characters(self) -> list[str]:
        """Canonical names of the characters who speak in the scene, in order of appearance."""
        seen: dict[str, None] = {}
        for element in self.elements:
            if isinstance(element, Dialogue):
                seen.setdefault(element.character, None)
        return list(seen)


class Character(_Model):
    """A character: the bible entry later stages draw from."""

    name: str
    """Canonical name, upper case, extensions stripped."""
    aliases: list[str] = Field(default_factory=list)
    """Other names the script uses for the same character (``MARGOT`` for ``MARGOT VANCE``)."""
    description: str | None = None
    """From the character's introduction in action, e.g. ``40s, oilskin coat, tired eyes``."""
    introduction: str | None = None
    """The action sentence that introduces the character."""
    scenes: list[str] = Field(default_factory=list)
    """Ids of the scenes the character speaks or appears in."""
    dialogue_count: int = 0
    word_count: int = 0


class Location(_Model):
    """A place scenes happen in, gathered from scene headings."""

    name: str
    int_ext: list[IntExt] = Field(default_factory=list)
    times_of_day: list[str] = Field(default_factory=list)
    scenes: list[str] = Field(default_factory=list)


class TitlePage(_Model):
    """The title page. Keys not named here are kept in ``extra`` (lower-case keys)."""

    title: str | None = None
    credit: str | None = None
    authors: list[str] = Field(default_factory=list)
    source: str | None = None
    draft_date: str | None = None
    contact: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class ScriptSource(_Model):
    """Where the script came from."""

    name: str
    """File name (no directory: the JSON carries no local paths)."""
    format: SourceFormat
    sha256: str
    size: int


class Script(_Model):
    """A parsed screenplay."""

    schema_version: Literal["Script.1"] = SCRIPT_SCHEMA
    source: ScriptSource
    title_page: TitlePage = Field(default_factory=TitlePage)
    scenes: list[Scene] = Field(default_factory=list)
    characters: list[Character] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    page_count: float = 0
    """Pages: printed pages for PDFs, an estimate in the standard layout otherwise."""
    warnings: list[str] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_page.title or self.source.name

    @property
    def estimated_runtime_s(self) -> float:
        """About a minute a page, the industry's rule of thumb."""
        return self.page_count * 60.0

    def character(self, name: str) -> Character | None:
        """The character called ``name`` or having it as an alias."""
        upper = name.upper()
        for character in self.characters:
            if character.name == upper or upper in character.aliases:
                return character
        return None

    def scene(self, scene_id: str) -> Scene:
        """The scene with id or number ``scene_id``."""
        for scene in self.scenes:
            if scene.id == scene_id or scene.number == scene_id:
                return scene
        raise KeyError(scene_id)


def script_json_schema() -> dict[str, Any]:
    """The JSON schema of :class:`Script`, for editors and validators."""
    return Script.model_json_schema()
