"""A single-pass scanner for the query language (no regular expressions, linear time).

The scanner knows one bit of context: whether a value is expected (right after an operator or a
comma). There, `-2w` and `and` are plain words; elsewhere a leading `-` is the NOT prefix and
AND / OR / NOT (any case) are keywords.
"""

from __future__ import annotations

import enum
import string
from typing import Final, NamedTuple

from labora.work.query.errors import QuerySyntaxError

MAX_QUERY_LENGTH: Final = 2000

WORD_PUNCTUATION: Final = frozenset("-_.@+")


class Kind(enum.Enum):
    WORD = "word"
    STRING = "string"
    OP = "operator"
    COMMA = "','"
    LPAREN = "'('"
    RPAREN = "')'"
    MINUS = "'-'"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    END = "end of query"


class Token(NamedTuple):
    kind: Kind
    text: str  # the decoded value for WORD/STRING, the source text otherwise
    start: int  # 0-based offset of the first character
    end: int  # 0-based offset after the last character
    spaced: bool  # whitespace comes right before the token

    @property
    def column(self) -> int:
        return self.start + 1


# The ASCII cases are answered by one set lookup; other characters ask str.isalnum (Unicode letters).
_ASCII_WORD_CHARS: Final = frozenset(string.ascii_letters + string.digits) | WORD_PUNCTUATION
_ASCII_SPACE: Final = frozenset(" \t\n\r\f\v")


# Enum member lookups are slow in the hot loop; these module constants are not.
_WORD, _STRING, _OP, _COMMA = Kind.WORD, Kind.STRING, Kind.OP, Kind.COMMA
_LPAREN, _RPAREN, _MINUS = Kind.LPAREN, Kind.RPAREN, Kind.MINUS
_KEYWORD_KINDS: Final = {"AND": Kind.AND, "OR": Kind.OR, "NOT": Kind.NOT}


def is_word_char(ch: str) -> bool:
    return ch in _ASCII_WORD_CHARS or (ch > "\x7f" and ch.isalnum())


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens, ending with an END token; raises QuerySyntaxError."""
    if len(source) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"The query is too long: at most {MAX_QUERY_LENGTH} characters "
            f"(position {MAX_QUERY_LENGTH + 1} is past the end)",
            MAX_QUERY_LENGTH + 1,
        )
    tokens: list[Token] = []
    append = tokens.append
    word_chars = _ASCII_WORD_CHARS
    i = 0
    n = len(source)
    spaced = False
    value_expected = False  # right after an operator or a comma
    while i < n:
        ch = source[i]
        start = i
        if ch in word_chars or (ch > "\x7f" and ch.isalnum()):
            if ch == "-" and not value_expected:
                nxt = source[i + 1] if i + 1 < n else ""
                if nxt == "" or nxt.isspace() or nxt in "),":
                    raise QuerySyntaxError(f"Expected a term right after '-' at position {i + 2}", i + 2, ("a term",))
                append(Token(_MINUS, "-", start, i + 1, spaced))
                i += 1
                spaced = False
                continue
            i += 1
            while i < n:
                ch = source[i]
                if ch in word_chars or (ch > "\x7f" and ch.isalnum()):
                    i += 1
                else:
                    break
            word = source[start:i]
            keyword = None if value_expected else _KEYWORD_KINDS.get(word.upper())
            append(Token(keyword or _WORD, word, start, i, spaced))
            value_expected = False
        elif ch in _ASCII_SPACE or ch.isspace():
            spaced = True
            i += 1
            continue
        elif ch == '"':
            text, i = _scan_string(source, i)
            append(Token(_STRING, text, start, i, spaced))
            value_expected = False
        elif ch in ":=<>!":
            i = _scan_operator(source, i)
            append(Token(_OP, source[start:i], start, i, spaced))
            value_expected = True
        elif ch == ",":
            i += 1
            append(Token(_COMMA, ",", start, i, spaced))
            value_expected = True
        elif ch == "(" or ch == ")":
            i += 1
            append(Token(_LPAREN if ch == "(" else _RPAREN, ch, start, i, spaced))
            value_expected = False
        else:
            raise QuerySyntaxError(
                f"Unexpected character {ch!r} at position {i + 1}; put text with special characters in double quotes",
                i + 1,
            )
        spaced = False
    tokens.append(Token(Kind.END, "", n, n, spaced))
    return tokens


def _scan_operator(source: str, i: int) -> int:
    ch = source[i]
    nxt = source[i + 1] if i + 1 < len(source) else ""
    if ch in "<>!" and nxt == "=":
        return i + 2
    if ch == "!":
        raise QuerySyntaxError(f"Expected '!=' at position {i + 1}", i + 1, ("!=",))
    return i + 1


def _scan_string(source: str, i: int) -> tuple[str, int]:
    """Read a double-quoted string starting at `i`; return its decoded text and the offset after it."""
    opening = i
    i += 1
    n = len(source)
    parts: list[str] = []
    chunk_start = i
    while i < n:
        ch = source[i]
        if ch == '"':
            parts.append(source[chunk_start:i])
            return "".join(parts), i + 1
        if ch == "\\":
            parts.append(source[chunk_start:i])
            escaped = source[i + 1] if i + 1 < n else ""
            if escaped not in ('"', "\\"):
                raise QuerySyntaxError(
                    f'Expected \\" or \\\\ after the backslash at position {i + 1}; '
                    f"write a backslash as \\\\ inside quotes",
                    i + 1,
                    ('\\"', "\\\\"),
                )
            parts.append(escaped)
            i += 2
            chunk_start = i
            continue
        i += 1
    raise QuerySyntaxError(
        f"Expected a closing '\"' at position {n + 1} for the string that starts at position {opening + 1}",
        n + 1,
        ('"',),
    )
