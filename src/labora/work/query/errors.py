"""The one error the query language raises for bad input."""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """A query (or an order) the user typed cannot be read.

    `message` is a sentence for the user: what was expected and at which column.
    `position` is that 1-based column (the one the message names); `offset` is the 0-based index
    into the text, handy for highlighting. `expected` lists what would have been accepted there
    (e.g. the known field names), possibly empty.
    """

    def __init__(self, message: str, position: int, expected: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = expected

    @property
    def offset(self) -> int:
        return self.position - 1

    def __repr__(self) -> str:
        return f"QuerySyntaxError({self.message!r}, {self.position!r}, {self.expected!r})"
