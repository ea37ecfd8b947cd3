"""Reading the paper by command: help, table of contents, sections, search, glossary."""

from __future__ import annotations

from bot.content.models import Document, GlossaryTerm, Section
from bot.content.normalize import fold
from bot.content.refs import resolve_ref
from bot.content.search import SearchIndex
from bot.core.actions import make_action
from bot.core.catalog import Catalog
from bot.core.commands import COMMANDS
from bot.core.reply import Button, ButtonStyle, Citation, Field, Pager, Reply, Tone, error_reply
from bot.services.paging import paginate

SEARCH_PER_PAGE = 5
GLOSSARY_PER_PAGE = 12
MAX_CANDIDATE_BUTTONS = 5


def _nav_buttons(document: Document, section: Section, lang: str, catalog: Catalog) -> list[Button]:
    order = {s.id: i for i, s in enumerate(document.sections)}
    i = order[section.id]
    buttons: list[Button] = []
    if i > 0:
        prev = document.sections[i - 1]
        buttons.append(
            Button(make_action("nav", document.id, prev.id), catalog.text("section.prev", lang))
        )
    if section.parent:
        buttons.append(
            Button(
                make_action("nav", document.id, section.parent),
                catalog.text("section.parent", lang),
            )
        )
    if i + 1 < len(document.sections):
        nxt = document.sections[i + 1]
        buttons.append(
            Button(
                make_action("nav", document.id, nxt.id),
                catalog.text("section.next", lang),
                ButtonStyle.PRIMARY,
            )
        )
    return buttons


class Lookups:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._indexes: dict[str, SearchIndex] = {}

    def t(self, key: str, lang: str, **values: object) -> str:
        return self._catalog.text(key, lang, **values)

    def index(self, document: Document) -> SearchIndex:
        if document.id not in self._indexes:
            self._indexes[document.id] = SearchIndex.build(document)
        return self._indexes[document.id]

    def _heading(self, section: Section, lang: str) -> str:
        return self.t(
            "section.heading", lang, label=section.label, title=section.title, id=section.id
        )

    def _item(self, section: Section, lang: str) -> str:
        return self.t("section.list_item", lang, heading=self._heading(section, lang))

    # help / toc ---------------------------------------------------------------------------

    def help(self, lang: str, prefix: str = "/") -> Reply:
        lines = []
        for spec in COMMANDS:
            usage = self.t(f"command.{spec.name}.usage", lang)
            desc = self.t(f"command.{spec.name}.description", lang)
            lines.append(f"{prefix}{spec.name} {usage}".rstrip() + f" — {desc}")
        return Reply(
            title=self.t("help.title", lang),
            blocks=(self.t("help.intro", lang), "\n".join(lines), self.t("help.examples", lang)),
            tone=Tone.INFO,
            ephemeral=True,
        )

    def toc(self, document: Document, lang: str) -> Reply:
        lines = []
        for s in document.sections:
            indent = "\u3000" * (s.level - 1)
            lines.append(indent + self._heading(s, lang))
        return Reply(
            title=self.t("toc.title", lang, document=document.title),
            blocks=("\n".join(lines), self.t("toc.hint", lang)),
            footer=self.t(
                "document.footer", lang, publisher=document.publisher, date=document.date
            ),
            tone=Tone.INFO,
        )

    # section ------------------------------------------------------------------------------

    def section(self, document: Document, ref: str, lang: str) -> Reply:
        if not ref.strip():
            return error_reply(
                self.t("section.error.empty", lang), hint=self.t("section.hint", lang)
            )
        resolution = resolve_ref(document, ref)
        if resolution.section is not None:
            return self.show_section(document, resolution.section, 1, lang)
        if resolution.candidates:
            return self._choose(document, resolution.candidates, "section.ambiguous", ref, lang)
        if resolution.suggestions:
            return self._choose(document, resolution.suggestions, "section.not_found", ref, lang)
        return error_reply(
            self.t("section.not_found", lang, ref=ref), hint=self.t("section.hint", lang)
        )

    def _choose(
        self, document: Document, sections: tuple[Section, ...], key: str, ref: str, lang: str
    ) -> Reply:
        shown = sections[:MAX_CANDIDATE_BUTTONS]
        lines = [self._item(s, lang) for s in shown]
        return Reply(
            blocks=(self.t(key, lang, ref=ref), "\n".join(lines)),
            buttons=tuple(
                Button(make_action("nav", document.id, s.id), f"{s.label}"[:70]) for s in shown
            ),
            tone=Tone.WARNING,
            ephemeral=True,
        )

    def show_section(self, document: Document, section: Section, page: int, lang: str) -> Reply:
        paragraphs = section.paragraphs
        if not paragraphs:
            children = document.children(section.id)
            listing = "\n".join(self._item(c, lang) for c in children)
            paragraphs = (self.t("section.has_children", lang), listing)
        pages = paginate(paragraphs)
        page = max(1, min(page, len(pages)))
        pager = None
        if len(pages) > 1:
            pager = Pager(
                page=page,
                pages=len(pages),
                prev_action=make_action("page", "section", section.id, page - 1)
                if page > 1
                else None,
                next_action=make_action("page", "section", section.id, page + 1)
                if page < len(pages)
                else None,
            )
        return Reply(
            title=section.heading,
            blocks=pages[page - 1],
            citation=Citation(section.label, section.title, document.title),
            buttons=tuple(_nav_buttons(document, section, lang, self._catalog)),
            pager=pager,
            footer=self.t(
                "section.footer",
                lang,
                id=section.id,
                publisher=document.publisher,
                date=document.date,
            ),
            tone=Tone.INFO,
        )

    # search -------------------------------------------------------------------------------

    def search(
        self, document: Document, query: str, page: int, lang: str, token: str | None
    ) -> Reply:
        if not query.strip():
            return error_reply(self.t("search.error.empty", lang), hint=self.t("search.hint", lang))
        result = self.index(document).search(query, page=page, per_page=SEARCH_PER_PAGE)
        if result.total == 0:
            return Reply(
                blocks=(self.t("search.none", lang, query=query), self.t("search.hint", lang)),
                tone=Tone.WARNING,
                ephemeral=True,
            )
        fields = tuple(
            Field(
                self._heading(hit.section, lang),
                hit.snippet,
            )
            for hit in result.hits
        )
        pager = None
        if result.pages > 1 and token is not None:
            pager = Pager(
                page=result.page,
                pages=result.pages,
                prev_action=make_action("page", "search", token, result.page - 1)
                if result.page > 1
                else None,
                next_action=make_action("page", "search", token, result.page + 1)
                if result.page < result.pages
                else None,
            )
        buttons = tuple(
            Button(make_action("nav", document.id, hit.section.id), hit.section.label[:70])
            for hit in result.hits[:MAX_CANDIDATE_BUTTONS]
        )
        return Reply(
            title=self.t("search.title", lang, query=query, total=result.total),
            fields=fields,
            buttons=buttons,
            pager=pager,
            footer=self.t("search.footer", lang, page=result.page, pages=result.pages),
            tone=Tone.INFO,
        )

    # glossary -----------------------------------------------------------------------------

    def glossary(
        self, document: Document, terms: tuple[GlossaryTerm, ...], query: str, lang: str
    ) -> Reply:
        if not terms:
            return error_reply(self.t("glossary.empty", lang))
        if not query.strip():
            lines = [
                self.t("glossary.list_item", lang, term=t.term, reading=t.reading) for t in terms
            ]
            return Reply(
                title=self.t("glossary.list_title", lang, count=len(terms)),
                blocks=("\n".join(lines), self.t("glossary.hint", lang)),
                tone=Tone.INFO,
                ephemeral=True,
            )
        found = find_terms(terms, query)
        if not found:
            return error_reply(
                self.t("glossary.not_found", lang, term=query), hint=self.t("glossary.hint", lang)
            )
        term = found[0]
        sections = [s for sid in term.sections if (s := document.section(sid)) is not None]
        where = "\n".join(self._item(s, lang) for s in sections)
        fields = [Field(self.t("glossary.reading", lang), term.reading, inline=True)]
        if term.english:
            fields.append(Field(self.t("glossary.english", lang), term.english, inline=True))
        if where:
            fields.append(Field(self.t("glossary.sections", lang), where))
        others = [t.term for t in found[1:6]]
        if others:
            fields.append(
                Field(
                    self.t("glossary.see_also", lang), self.t("list.separator", lang).join(others)
                )
            )
        return Reply(
            title=term.term,
            blocks=(term.definition,),
            fields=tuple(fields),
            buttons=tuple(
                Button(make_action("nav", document.id, s.id), s.label[:70])
                for s in sections[:MAX_CANDIDATE_BUTTONS]
            ),
            tone=Tone.INFO,
        )


def find_terms(terms: tuple[GlossaryTerm, ...], query: str) -> list[GlossaryTerm]:
    """Terms matching by term, reading, alias or English, exact matches first."""
    q = "".join(fold(query).split())
    if not q:
        return []
    exact: list[GlossaryTerm] = []
    partial: list[GlossaryTerm] = []
    for term in terms:
        keys = [fold(k).replace(" ", "") for k in (term.term, term.reading, *term.aliases)]
        if term.english:
            keys.append(fold(term.english).replace(" ", ""))
        if q in keys:
            exact.append(term)
        elif any(q in k for k in keys):
            partial.append(term)
    return exact + partial
