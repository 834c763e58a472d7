"""Final Draft (``.fdx``) screenplays: the XML Final Draft saves, read into the script model.

A Final Draft document is ``<FinalDraft>`` holding a ``<Content>`` of typed ``<Paragraph>``
elements (``Scene Heading``, ``Action``, ``Character``, ``Dialogue``, ...) and, optionally,
a ``<TitlePage>`` with a ``<Content>`` of its own plus much application state (settings,
revisions, window layout) that the script model has no use for.

Rules this parser follows:

* The XML is read with :mod:`defusedxml`: document type declarations, entity declarations
  and external references are refused with :class:`~previz.errors.HostileInputError`
  before anything is expanded or fetched. No real Final Draft file has any of them.
* Only the *direct* ``<Paragraph>`` children of the top-level ``<Content>`` are the script
  body. Final Draft 11 nests untyped paragraphs inside ``<SceneProperties>`` (story-beat
  notes); those are not screen content and are never read.
* A paragraph's text is the concatenation of its direct ``<Text>`` runs. Styles (bold,
  underline, italic, ``AllCaps``) are presentation and are dropped: the text is kept as
  stored, so a title typed ``Big Fish`` and shown in capitals reads ``Big Fish``, as it does
  in the Fountain source of the same script. Line breaks are kept; trailing whitespace of
  each line is removed; inner spacing (two spaces after a period) is kept.
* Scene numbers are kept exactly as written in ``Number`` (``9.`` stays ``9.``), as a
  Fountain ``#9.#`` does.
* ``StartsNewPage`` and ``Alignment`` come from the paragraph, else from the document's
  ``<ElementSettings>`` for the paragraph's type (Final Draft's own precedence).
* The ``<TitlePage>`` paragraphs are grouped into blocks by alignment and keyed by the
  layout rules of :mod:`screenplay.titlepage`, which the PDF parser shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Literal
from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError as XmlParseError
from xml.etree.ElementTree import TreeBuilder
from xml.parsers.expat import XMLParserType

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser

from previz.errors import EmptyScriptError, HostileInputError, ParseError
from screenplay.build import HeadingMark, build_script, parse_cue, split_title_keys
from screenplay.model import (
    Action,
    Centered,
    Dialogue,
    DialoguePart,
    Element,
    Lyrics,
    PageBreak,
    Script,
    ScriptSource,
    Section,
    ShotDirection,
    SourceFormat,
    Synopsis,
    TitlePage,
    Transition,
)
from screenplay.titlepage import Alignment, TitleBlock, read_title_blocks

__all__ = ["FdxParser"]

ROOT_TAG = "FinalDraft"

# Paragraph types, compared lower-cased with single spaces (Final Draft itself writes both
# "End of Act" and "End Of Act", "Lyric" and "Lyrics").
HEADING_TYPE = "scene heading"
CHARACTER_TYPE = "character"
DIALOGUE_TYPE = "dialogue"
PARENTHETICAL_TYPE = "parenthetical"
ACTION_TYPES = frozenset({"action", "general", "cast list"})
TRANSITION_TYPE = "transition"
SHOT_TYPE = "shot"
LYRICS_TYPES = frozenset({"lyrics", "lyric"})
ACT_TYPES = frozenset({"new act", "cold opening"})
"""Act headers ("ACT ONE", "COLD OPEN", "TAG"): outermost sections."""
CENTERED_TYPES = frozenset({"end of act", "show/ep. title"})
OUTLINE_RE = re.compile(r"^outline (?P<level>\d+)$")
"""Final Draft 12's outline elements: ``Outline 1`` .. ``Outline 4``."""
OUTLINE_BODY_TYPE = "outline body"

PARENTHETICAL_RE = re.compile(r"^\((?P<inner>.*)\)$", re.DOTALL)
TITLE_ALIGNMENTS: dict[str, Alignment] = {"center": "center", "right": "right"}
"""Title-page paragraph alignments; the rest (``Left``, ``Full``) read as left."""


@dataclass(slots=True)
class _Paragraph:
    """One ``<Paragraph>`` as the body reader sees it."""

    type: str
    """Lower-cased, single-spaced; ``general`` when the paragraph has no ``Type``."""
    raw_type: str
    text: str
    line: int | None
    centered: bool
    new_page: bool
    element: XmlElement


@dataclass(slots=True)
class _DialogueBlock:
    """A character cue and the speech and parentheticals under it."""

    cue: str
    line: int | None
    parts: list[DialoguePart] = field(default_factory=list)

    def to_element(self, dual: Literal["left", "right"] | None = None) -> Dialogue:
        character, extension, contd = parse_cue(self.cue)
        speech = [p.text for p in self.parts if p.kind == "speech"]
        parentheticals = [p.text for p in self.parts if p.kind == "parenthetical"]
        return Dialogue(
            text="\n".join(speech),
            line=self.line,
            character=character,
            cue=self.cue,
            extension=extension,
            contd=contd,
            parenthetical=parentheticals[0] if parentheticals else None,
            parts=self.parts,
            dual=dual,
        )


class _LineTreeBuilder(TreeBuilder):
    """An ElementTree builder that remembers the source line of every element."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: XMLParserType | None = None
        self.lines: dict[XmlElement, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> XmlElement:
        element = super().start(tag, attrs)
        if self.expat is not None:
            self.lines[element] = self.expat.CurrentLineNumber
        return element


class FdxParser:
    """Final Draft ``.fdx`` documents (Final Draft 8 to 13, and converters' output)."""

    format: ClassVar[SourceFormat] = "fdx"
    suffixes: ClassVar[tuple[str, ...]] = ("fdx",)

    def parse(self, data: bytes, source: ScriptSource) -> Script:
        """Parse a Final Draft document.

        Args:
            data: the whole ``.fdx`` file.
            source: where it came from.

        Returns:
            The script, with the title page read from ``<TitlePage>`` when there is one.

        Raises:
            HostileInputError: the XML declares a DTD or entities, or references external
                resources.
            ParseError: the XML is malformed or is not a Final Draft document.
            EmptyScriptError: the document has no script paragraphs.
        """
        root, lines = _parse_xml(data)
        if root.tag != ROOT_TAG:
            raise ParseError(
                f"expected a Final Draft document <{ROOT_TAG}>, found <{root.tag}>",
                line=lines.get(root),
            )
        content = root.find("Content")
        if content is None:
            raise ParseError(
                f"<{ROOT_TAG}> has no <Content> element: no script body", line=lines.get(root)
            )
        paragraph_elements = content.findall("Paragraph")
        if not paragraph_elements:
            raise EmptyScriptError("<Content> holds no paragraphs", line=lines.get(content))
        settings = _Settings.of(root)
        paragraphs = [_read_paragraph(p, lines, settings) for p in paragraph_elements]
        warnings: list[str] = []
        body = _read_body(paragraphs, lines, warnings)
        if not body:
            raise EmptyScriptError("every paragraph in <Content> is empty")
        return build_script(
            source=source,
            title_page=_read_title_page(root),
            body=body,
            warnings=warnings,
        )


# --- XML --------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> tuple[XmlElement, dict[XmlElement, int]]:
    """Parse ``data`` safely; return the root and the line each element starts on.

    This is what ``defusedxml.ElementTree.fromstring(data, forbid_dtd=True,
    forbid_entities=True, forbid_external=True)`` does, with a tree builder that also
    records line numbers (ElementTree keeps none).
    """
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    builder.expat = expat
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise HostileInputError(
            _refusal(exc), line=expat.CurrentLineNumber, column=expat.CurrentColumnNumber + 1
        ) from None
    except XmlParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(": line ")[0]
        raise ParseError(
            f"not well-formed XML: {reason}",
            line=line,
            column=column + 1 if column is not None else None,
        ) from None
    return root, builder.lines


def _refusal(exc: DefusedXmlException) -> str:
    """Why previz refused a document, for the user."""
    if isinstance(exc, DTDForbidden):
        ids = " ".join(repr(i) for i in (exc.pubid, exc.sysid) if i)
        what = f"<!DOCTYPE {exc.name}{' ' + ids if ids else ''}>"
        return (
            f"document type declaration {what} refused: DTDs can expand entities or fetch "
            "files, and Final Draft never writes one"
        )
    if isinstance(exc, EntitiesForbidden):
        target = f" SYSTEM {exc.sysid!r}" if exc.sysid else ""
        return f"entity declaration <!ENTITY {exc.name}{target}> refused: entities are unsafe"
    if isinstance(exc, ExternalReferenceForbidden):
        return (
            f"external reference to {exc.sysid or exc.pubid!r} refused: previz reads no "
            "file or URL named inside a script"
        )
    return f"unsafe XML refused: {exc}"


def _norm_type(raw: str) -> str:
    """``End Of Act`` -> ``end of act``; an untyped paragraph is ``general`` (the default)."""
    return " ".join(raw.split()).lower() or "general"


def _text_of(paragraph: XmlElement) -> str:
    """The text of ``paragraph``'s direct ``<Text>`` runs, line ends cleaned."""
    joined = "".join(run.text or "" for run in paragraph.findall("Text"))
    joined = joined.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in joined.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


@dataclass(slots=True)
class _Spec:
    """A paragraph type's layout defaults from ``<ElementSettings>``."""

    alignment: str | None = None
    starts_new_page: bool = False


@dataclass(slots=True)
class _Settings:
    """The document's ``<ElementSettings>``: layout defaults by paragraph type."""

    exact: dict[str, _Spec] = field(default_factory=dict)
    folded: dict[str, _Spec] = field(default_factory=dict)
    """By :func:`_norm_type` name, for files that spell a type differently."""

    @classmethod
    def of(cls, root: XmlElement) -> _Settings:
        settings = cls()
        for element in root.findall("ElementSettings"):
            raw = element.get("Type")
            paragraph_spec = element.find("ParagraphSpec")
            if not raw or paragraph_spec is None:
                continue
            spec = _Spec(
                alignment=paragraph_spec.get("Alignment"),
                starts_new_page=paragraph_spec.get("StartsNewPage", "No").lower() == "yes",
            )
            settings.exact[raw] = spec
            settings.folded.setdefault(_norm_type(raw), spec)
        return settings

    def spec(self, raw_type: str) -> _Spec:
        """The defaults for ``raw_type``: exact name first, then case-insensitively."""
        return self.exact.get(raw_type) or self.folded.get(_norm_type(raw_type)) or _Spec()


def _read_paragraph(
    element: XmlElement, lines: dict[XmlElement, int], settings: _Settings
) -> _Paragraph:
    raw_type = element.get("Type") or ""
    spec = settings.spec(raw_type)
    alignment = element.get("Alignment") or spec.alignment or "Left"
    new_page_attr = element.get("StartsNewPage")
    new_page = new_page_attr.lower() == "yes" if new_page_attr is not None else spec.starts_new_page
    return _Paragraph(
        type=_norm_type(raw_type),
        raw_type=raw_type,
        text=_text_of(element),
        line=lines.get(element),
        centered=alignment.lower() == "center",
        new_page=new_page,
        element=element,
    )


# --- body -----------------------------------------------------------------------------------


def _read_body(
    paragraphs: list[_Paragraph], lines: dict[XmlElement, int], warnings: list[str]
) -> list[Element | HeadingMark]:
    """Turn top-level paragraphs into the flat body :func:`build_script` takes."""
    body: list[Element | HeadingMark] = []
    block: _DialogueBlock | None = None
    page_break_pending = False

    def flush() -> None:
        nonlocal block
        if block is not None:
            body.append(block.to_element())
            block = None

    for paragraph in paragraphs:
        dual = paragraph.element.find("DualDialogue")
        if paragraph.type in (DIALOGUE_TYPE, PARENTHETICAL_TYPE) and block is not None:
            _add_part(block, paragraph)
            continue
        page_break_pending = page_break_pending or paragraph.new_page
        if not paragraph.text and dual is None and paragraph.type != CHARACTER_TYPE:
            continue  # Final Draft leaves empty paragraphs; they carry nothing
        flush()
        if page_break_pending and body:
            body.append(PageBreak(line=paragraph.line))
        page_break_pending = False
        if dual is not None:
            body.extend(_read_dual(dual, lines, warnings))
            if paragraph.text:
                body.append(Action(text=paragraph.text, line=paragraph.line))
            continue
        if paragraph.type == CHARACTER_TYPE:
            if not paragraph.text:
                warnings.append(f"line {paragraph.line}: empty character cue")
            block = _DialogueBlock(cue=paragraph.text, line=paragraph.line)
            continue
        body.append(_element_for(paragraph, warnings))
    flush()
    return body


def _add_part(block: _DialogueBlock, paragraph: _Paragraph) -> None:
    """Add a Dialogue or Parenthetical paragraph to ``block`` (parentheticals unbracketed)."""
    if not paragraph.text:
        return
    if paragraph.type == PARENTHETICAL_TYPE:
        match = PARENTHETICAL_RE.match(paragraph.text.strip())
        text = match.group("inner").strip() if match else paragraph.text.strip()
        block.parts.append(DialoguePart(kind="parenthetical", text=text))
    elif block.parts and block.parts[-1].kind == "speech":
        # Consecutive Dialogue paragraphs are one run of speech, as in Fountain.
        block.parts[-1] = DialoguePart(
            kind="speech", text=f"{block.parts[-1].text}\n{paragraph.text}"
        )
    else:
        block.parts.append(DialoguePart(kind="speech", text=paragraph.text))


def _element_for(paragraph: _Paragraph, warnings: list[str]) -> Element | HeadingMark:
    """The model element for a paragraph that is not part of a dialogue block."""
    kind, text, line = paragraph.type, paragraph.text, paragraph.line
    if kind == HEADING_TYPE:
        number = (paragraph.element.get("Number") or "").strip() or None
        return HeadingMark(text=text, number=number, line=line, page=_scene_page(paragraph))
    if kind in ACTION_TYPES:
        return (
            Centered(text=text, line=line) if paragraph.centered else Action(text=text, line=line)
        )
    if kind == TRANSITION_TYPE:
        return Transition(text=text, line=line)
    if kind == SHOT_TYPE:
        return ShotDirection(text=text, line=line)
    if kind in LYRICS_TYPES:
        return Lyrics(text=text, line=line)
    if kind in ACT_TYPES:
        return Section(text=text, line=line, level=1)
    if kind in CENTERED_TYPES:
        return Centered(text=text, line=line)
    outline = OUTLINE_RE.match(kind)
    if outline:
        return Section(text=text, line=line, level=max(1, int(outline.group("level"))))
    if kind == OUTLINE_BODY_TYPE:
        return Synopsis(text=text, line=line)
    if kind in (DIALOGUE_TYPE, PARENTHETICAL_TYPE):
        warnings.append(
            f"line {line}: {paragraph.raw_type} paragraph with no character cue, read as action"
        )
    else:
        warnings.append(
            f"line {line}: unknown paragraph type {paragraph.raw_type!r}, read as action"
        )
    return Action(text=text, line=line)


def _scene_page(paragraph: _Paragraph) -> int | None:
    """The page Final Draft last laid the scene out on (``<SceneProperties Page="3">``)."""
    properties = paragraph.element.find("SceneProperties")
    page = properties.get("Page", "") if properties is not None else ""
    return int(page) if page.isdigit() and int(page) > 0 else None


def _read_dual(
    dual: XmlElement, lines: dict[XmlElement, int], warnings: list[str]
) -> list[Element]:
    """The two dialogue blocks of a ``<DualDialogue>``: left column first, then right."""
    blocks: list[_DialogueBlock] = []
    for child in dual.findall("Paragraph"):
        paragraph = _read_paragraph(child, lines, _Settings())
        if paragraph.type == CHARACTER_TYPE:
            blocks.append(_DialogueBlock(cue=paragraph.text, line=paragraph.line))
        elif paragraph.type in (DIALOGUE_TYPE, PARENTHETICAL_TYPE) and blocks:
            _add_part(blocks[-1], paragraph)
        elif paragraph.text:
            warnings.append(
                f"line {paragraph.line}: {paragraph.raw_type or 'untyped'} paragraph inside "
                "dual dialogue ignored"
            )
    if len(blocks) != 2:
        line = lines.get(dual) or (blocks[0].line if blocks else None)
        warnings.append(
            f"line {line}: dual dialogue with {len(blocks)} speakers; read as ordinary dialogue"
        )
        return [block.to_element() for block in blocks]
    return [blocks[0].to_element("left"), blocks[1].to_element("right")]


# --- title page ---------------------------------------------------------------------------------


def _title_blocks(root: XmlElement) -> list[TitleBlock]:
    """Runs of consecutive non-empty title-page paragraphs with the same alignment.

    ``Left`` and ``Full`` (justified) paragraphs are left-aligned; a paragraph's own line
    breaks make lines of its block.
    """
    blocks: list[TitleBlock] = []
    current: list[str] = []
    current_alignment: Alignment = "left"
    for paragraph in root.findall("TitlePage/Content/Paragraph"):
        alignment = TITLE_ALIGNMENTS.get((paragraph.get("Alignment") or "").lower(), "left")
        text = _text_of(paragraph)
        if not text or alignment != current_alignment:
            if current:
                blocks.append(TitleBlock(tuple(current), current_alignment))
            current = []
            current_alignment = alignment
        if text:
            current.extend(text.split("\n"))
    if current:
        blocks.append(TitleBlock(tuple(current), current_alignment))
    return blocks


def _read_title_page(root: XmlElement) -> TitlePage:
    """The title page from ``<TitlePage>``, read by :mod:`screenplay.titlepage`'s layout rules."""
    return split_title_keys(read_title_blocks(_title_blocks(root)))
