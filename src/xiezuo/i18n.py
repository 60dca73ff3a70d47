"""Labels and dates in the reader's language: gettext catalogues and Babel formats.

The catalogues are ``locale/<lang>/LC_MESSAGES/xiezuo.po`` beside this module, with
English message IDs. They are compiled in memory the first time a language is used
(:mod:`babel.messages`): the ``.po`` file is the one source, so no compiled ``.mo``
can drift from it, and compiling a few hundred messages takes milliseconds.

Code marks a label with ``N_("…")`` where it is defined and translates it with a
:class:`Translator` where it is shown, so ``pybabel extract`` finds every label (see
docs/sheets.md for updating the catalogues). Labels with values use ``{name}``
placeholders, filled after translation.

It imports only :mod:`xiezuo.errors`, so any layer may use it.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from xiezuo.errors import InputError

if TYPE_CHECKING:
    from datetime import date, datetime

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "xiezuo"
LANGUAGES: Final = ("en", "zh")
"""Languages with a catalogue; English is the language of the message IDs."""
_BABEL_LOCALE: Final = {"en": "en_GB", "zh": "zh_Hans_CN"}


def N_(message: str) -> str:  # noqa: N802 — gettext's name for a marked, untranslated label
    """Mark ``message`` for the catalogues where it is defined; it is translated later."""
    return message


@dataclass(frozen=True, slots=True)
class Translator:
    """Labels, dates and times in one language."""

    lang: str
    locale: Locale
    translations: gettext.GNUTranslations

    def __call__(self, message: str, **values: object) -> str:
        """The translation of ``message`` with its ``{name}`` placeholders filled."""
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def day(self, value: date) -> str:
        """``Tuesday, 1 July 1958`` / ``1958年7月1日星期二``."""
        return format_date(value, "full", locale=self.locale)

    def short_day(self, value: date) -> str:
        """``01/07/1958`` / ``1958/7/1``."""
        return format_date(value, "short", locale=self.locale)

    def clock(self, value: datetime) -> str:
        """``06:00``: a time of day, on the 24-hour clock in every language."""
        return format_time(value, "HH:mm", locale=self.locale)

    def instant(self, value: datetime) -> str:
        """``1 Jul 06:00`` / ``7月1日 06:00``: a date and time within a plan's year."""
        return f"{format_skeleton('MMMd', value, locale=self.locale)} {self.clock(value)}"


def translator(lang: str) -> Translator:
    """The translator for ``lang`` (one of :data:`LANGUAGES`).

    Raises
    ------
    InputError
        For a language without a catalogue; the message lists those there are.
    """
    if lang not in LANGUAGES:
        raise InputError("lang", "", f"no labels in {lang!r}; choose {' or '.join(LANGUAGES)}")
    return _translator(lang)


@cache
def _translator(lang: str) -> Translator:
    return Translator(lang, Locale.parse(_BABEL_LOCALE[lang]), _compiled(lang))


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compiled(lang: str) -> gettext.GNUTranslations:
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=_BABEL_LOCALE[lang], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
