"""Terms of the knowledge base, in languages with and without spaces between words.

Latin, Cyrillic and other spaced scripts are matched word by word (a title word
needs four letters or more, so that "the" or "and" suggest nothing). Chinese,
Japanese and Korean are written without spaces: without a dictionary to cut a
sentence into words, the keywords of an article are its vocabulary, and a CJK
keyword matches where it appears as it is in the text ("排水" in "洗衣机不排水").
Cutting the text into character pairs instead would suggest every article whose
title shares "洗衣" with the request.
"""

import re
import unicodedata

# Han (with extensions A and compatibility), kana and Hangul
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RUN_RE = re.compile(f"[{CJK_CHARS}]+")
# words of the spaced scripts, codes such as "E21" or "TST-E21" kept whole
WORD_RE = re.compile(f"[^\\W_{CJK_CHARS}]+(?:[-./][^\\W_{CJK_CHARS}]+)*")
# keywords are separated by spaces and by Latin or CJK commas and semicolons
KEYWORD_SEPARATOR_RE = re.compile(r"[\s,;，；、]+")
TITLE_WORD_LENGTH = 4


def normalize(text):
    """Lower case, full-width letters and digits folded ("Ｅ２１" is "e21")."""
    return unicodedata.normalize("NFKC", text or "").lower()


def keyword_terms(keywords):
    """The terms of a keywords field: each keyword as written, normalized."""
    return {term for term in KEYWORD_SEPARATOR_RE.split(normalize(keywords)) if term}


def title_terms(title):
    """The terms of a title: its words of four letters or more, and its CJK phrases."""
    title = normalize(title)
    words = {word for word in WORD_RE.findall(title) if len(word) >= TITLE_WORD_LENGTH}
    return words | {run for run in CJK_RUN_RE.findall(title) if len(run) > 1}


class MatchText:
    """A text to find articles for: its words, and the text itself for CJK terms."""

    def __init__(self, text):
        self.text = normalize(text)
        self.words = set(WORD_RE.findall(self.text))

    def __bool__(self):
        return bool(self.text.strip())

    def has(self, term):
        """Whether ``term`` (normalized) is in the text: CJK terms as they are written, other terms
        word by word ("door lock" needs both words, "drain" does not match "draining")."""
        if CJK_RUN_RE.search(term):
            return term in self.text
        words = WORD_RE.findall(term)
        return bool(words) and all(word in self.words for word in words)
