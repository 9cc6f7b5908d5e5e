"""The lab's words: one glossary file, each term's plain definition and where it is shown.

``data/glossary.toml`` holds every technical word a page shows (ICP, α, RMSE,
a lesion, ...) as ``[[term]]`` tables::

    [[term]]
    name = "ICP"
    forms = ["invariant causal prediction"]
    definition = "Invariant causal prediction: ..."
    shown = ["Invariance/verdict", "Invariance/lattice"]

``name`` is how the lab writes the term; ``forms`` other ways it is written
(each may also take a plural ``s``); ``definition`` one or two plain sentences;
``shown`` the sections that show it, as ``"Page/section"`` (a section's key, or
``next`` for a page's "What next"), with ``:world`` or ``:table`` when the
section shows it only for a simulated world or only for a table. :func:`read_glossary` parses and checks
the file, :func:`find_terms` says which terms a text uses (as a page test reads
them back), and :meth:`Glossary.on` which terms a section shows. Pages draw the
definitions beside each section (:mod:`lib.ui.glossary_views`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lib.errors import GlossaryError, did_you_mean
from lib.world.toml_io import parse_toml

__all__ = [
    "GLOSSARY_FILE",
    "DATA_KINDS",
    "MAX_DEFINITION",
    "NEXT",
    "Glossary",
    "Place",
    "Term",
    "find_terms",
    "glossary_from_toml",
    "load_glossary",
    "read_glossary",
]

#: The lab's glossary.
GLOSSARY_FILE = Path(__file__).resolve().parents[2] / "data" / "glossary.toml"
#: Longest definition, in characters: one or two sentences.
MAX_DEFINITION = 400
#: The section name of a page's "What next" (it is not one of the page's sections).
NEXT = "next"
_TERM_FIELDS = {"name", "forms", "definition", "shown"}
_MAX_TERMS = 200


#: What a place may be limited to: the sidebar's data being a world, or a table.
DATA_KINDS = ("world", "table")


@dataclass(frozen=True, order=True)
class Place:
    """Where a term is shown: a page and one of its sections (or :data:`NEXT`), and
    ``only`` for a world or for a table ("" for both)."""

    page: str
    section: str
    only: str = ""

    def __str__(self) -> str:
        return f"{self.page}/{self.section}" + (f":{self.only}" if self.only else "")

    def holds(self, page: str, section: str, table: bool | None = None) -> bool:
        """Whether it is that section, for that data (``None``: either)."""
        if (self.page, self.section) != (page, section):
            return False
        return table is None or not self.only or self.only == ("table" if table else "world")


@dataclass(frozen=True)
class Term:
    """One word of the glossary.

    Attributes
    ----------
    name : str
        How the lab writes it (``"ICP"``, ``"α (significance level)"``).
    forms : tuple of str
        Every way a page writes it, ``name``'s own words first; each also matches
        with a plural ``s``, in any case.
    definition : str
        One or two plain sentences.
    shown : tuple of Place
        The sections that show it.
    """

    name: str
    forms: tuple[str, ...]
    definition: str
    shown: tuple[Place, ...]

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages that show it, each once, in the order ``shown`` names them."""
        return tuple(dict.fromkeys(p.page for p in self.shown))


@dataclass(frozen=True)
class Glossary:
    """The lab's terms, in the file's order."""

    terms: tuple[Term, ...]

    def on(self, page: str, section: str, table: bool | None = None) -> tuple[Term, ...]:
        """The terms a section shows (for a table, for a world, or ``None``: for either),
        in the file's order."""
        return tuple(t for t in self.terms if any(p.holds(page, section, table) for p in t.shown))

    def term(self, name: str) -> Term:
        """One term by name."""
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(name)

    def places(self) -> set[Place]:
        """Every place some term is shown."""
        return {p for t in self.terms for p in t.shown}


def _pattern(form: str) -> re.Pattern[str]:
    """The form as a whole word (an ``s`` may follow a letter), in any case.

    A form that starts or ends with a sign (``do(``) is not bounded there:
    ``do(`` matches ``do(rain = 0)``.
    """
    start = r"(?<!\w)" if re.match(r"\w", form) else ""
    end = r"s?(?!\w)" if form[-1:].isalpha() else r"(?!\w)" if re.match(r"\w", form[-1:]) else ""
    return re.compile(rf"{start}{re.escape(form)}{end}", re.IGNORECASE)


@lru_cache(maxsize=512)
def _patterns(forms: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(f) for f in forms)


def find_terms(text: str, terms: Iterable[Term]) -> list[Term]:
    """The terms that ``text`` uses (any of their forms, as a whole word), in order given."""
    return [t for t in terms if any(p.search(text) for p in _patterns(t.forms))]


def _text(value: Any, where: str, name: str | None, *, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GlossaryError(f"{where} must be text (a quoted string).", name=name)
    value = " ".join(value.split())
    if len(value) > limit:
        raise GlossaryError(
            f"{where} is {len(value)} characters long; keep it to {limit} "
            "(one or two plain sentences).",
            name=name,
        )
    return value


def _place(value: Any, where: str, name: str, pages: Mapping[str, Collection[str]] | None) -> Place:
    if not isinstance(value, str) or value.count("/") != 1 or value.count(":") > 1:
        raise GlossaryError(
            f'{where}: each place in `shown` is "Page/section" (e.g. "Invariance/verdict"), '
            f'or "Page/section:world" or ":table" for one kind of data, not {value!r}.',
            name=name,
        )
    value, _, only = value.partition(":")
    if only and only not in DATA_KINDS:
        raise GlossaryError(
            f"{where}: `:{only}` in `shown`; a place is limited to `:world` or `:table`.",
            name=name,
        )
    page, section = (part.strip() for part in value.split("/"))
    if pages is not None:
        if page not in pages:
            raise GlossaryError(
                f"{where}: there is no page `{page}`{did_you_mean(page, pages)}.",
                name=name,
                allowed="Pages: " + ", ".join(f"`{p}`" for p in pages) + ".",
            )
        keys = [*pages[page], NEXT]
        if section not in keys:
            raise GlossaryError(
                f"{where}: the {page} page has no section `{section}`"
                f"{did_you_mean(section, keys)}.",
                name=name,
                allowed="Its sections: " + ", ".join(f"`{k}`" for k in keys) + ".",
            )
    return Place(page, section, only)


def _term(raw: Any, index: int, pages: Mapping[str, Collection[str]] | None) -> Term:
    where = f"term {index + 1}"
    if not isinstance(raw, Mapping):
        raise GlossaryError(f"{where} must be a `[[term]]` table.")
    if "name" not in raw:
        raise GlossaryError(f"{where}: `name` is missing (how the lab writes the term).")
    name = _text(raw["name"], f"{where}: `name`", None, limit=60)
    where = f"term `{name}`"
    for key in raw:
        if key not in _TERM_FIELDS:
            raise GlossaryError(
                f"{where}: unknown field `{key}`{did_you_mean(key, _TERM_FIELDS)}.",
                name=name,
                allowed="Allowed: " + ", ".join(f"`{k}`" for k in sorted(_TERM_FIELDS)) + ".",
            )
    if "definition" not in raw:
        raise GlossaryError(f"{where}: `definition` is missing.", name=name)
    definition = _text(raw["definition"], f"{where}: `definition`", name, limit=MAX_DEFINITION)
    forms_raw = raw.get("forms", [])
    if not isinstance(forms_raw, list):
        raise GlossaryError(f"{where}: `forms` is a list of texts.", name=name)
    own = re.sub(r"\s*\(.*?\)\s*", " ", name).strip() or name  # "α (significance level)" -> "α"
    forms = tuple(
        dict.fromkeys(
            [own, *(_text(f, f"{where}: each of `forms`", name, limit=60) for f in forms_raw)]
        )
    )
    shown_raw = raw.get("shown", [])
    if not isinstance(shown_raw, list) or not shown_raw:
        raise GlossaryError(
            f'{where}: `shown` lists the sections that show it, as "Page/section".', name=name
        )
    shown = tuple(_place(v, where, name, pages) for v in shown_raw)
    sections = [(p.page, p.section) for p in shown]
    if len(set(sections)) != len(sections):
        twice = sorted({f"{a}/{b}" for a, b in sections if sections.count((a, b)) > 1})
        raise GlossaryError(f"{where}: `shown` names {', '.join(twice)} twice.", name=name)
    return Term(name, forms, definition, shown)


def glossary_from_toml(text: str, pages: Mapping[str, Collection[str]] | None = None) -> Glossary:
    """Read and check a glossary from TOML text.

    Parameters
    ----------
    text : str
        The file's text.
    pages : mapping, optional
        Every page's section keys, by page name: each place in ``shown`` must be
        one of them (or the page's :data:`NEXT`). ``None`` checks only the form.

    Raises
    ------
    lib.errors.GlossaryError
        Naming the term and field at fault, and what would be allowed.
    """
    try:
        raw = parse_toml(text, "glossary file")
    except GlossaryError:
        raise
    except Exception as exc:  # a ScenarioError from the one TOML reader
        raise GlossaryError(str(exc)) from None
    extra = [k for k in raw if k != "term"]
    if extra:
        raise GlossaryError(
            f"the glossary has a table `{extra[0]}`; it holds only `[[term]]` tables.",
            name=extra[0],
        )
    terms_raw = raw.get("term")
    if not isinstance(terms_raw, list) or not terms_raw:
        raise GlossaryError("the glossary has no `[[term]]` tables.")
    if len(terms_raw) > _MAX_TERMS:
        raise GlossaryError(f"the glossary has {len(terms_raw)} terms; at most {_MAX_TERMS}.")
    terms = tuple(_term(t, i, pages) for i, t in enumerate(terms_raw))
    seen: dict[str, str] = {}
    for t in terms:
        for form in t.forms:
            other = seen.setdefault(form.casefold(), t.name)
            if other != t.name:
                raise GlossaryError(
                    f"term `{t.name}`: `{form}` is already a form of `{other}`; "
                    "a word can mean one term only.",
                    name=t.name,
                )
    return Glossary(terms)


def read_glossary(
    path: Path = GLOSSARY_FILE, pages: Mapping[str, Collection[str]] | None = None
) -> Glossary:
    """Read and check a glossary file (see :func:`glossary_from_toml`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GlossaryError(f"the glossary file cannot be read ({exc}).") from None
    try:
        return glossary_from_toml(text, pages)
    except GlossaryError as err:
        raise err.within(Path(path).name) from None


@lru_cache(maxsize=4)
def _load(path: str, mtime: float, pages: tuple[tuple[str, tuple[str, ...]], ...]) -> Glossary:
    return read_glossary(Path(path), dict(pages) if pages else None)


def load_glossary(
    path: Path = GLOSSARY_FILE, pages: Mapping[str, Collection[str]] | None = None
) -> Glossary:
    """The glossary file, read once per change of the file (see :func:`read_glossary`)."""
    frozen = tuple((p, tuple(keys)) for p, keys in (pages or {}).items())
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        mtime = -1.0  # read_glossary says the file cannot be read
    return _load(str(path), mtime, frozen)
