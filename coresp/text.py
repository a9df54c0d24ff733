"""Text in the reader's language that gettext alone cannot give."""

from __future__ import annotations

from django.utils import translation

# Languages that write nouns with a capital inside a sentence: a label keeps its first letter.
CAPITALISED_NOUNS = {"de"}


def in_sentence(label: object) -> str:
    """A label ("Submitted for review", "Policy makers") as it reads inside a sentence in the
    active language: its first letter in lower case, except in German, where a label mostly
    starts with a noun, which keeps its capital ("In Prüfung"). Only the first letter changes,
    and a label that starts with an acronym ("SEN: sensitive") keeps it."""
    text = str(label)
    if not text or translation.get_language() in CAPITALISED_NOUNS or text[1:2].isupper():
        return text
    return text[0].lower() + text[1:]
