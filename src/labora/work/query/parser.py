"""A recursive-descent parser for the task query language.

    query    := or_expr END
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*          (juxtaposition is AND)
    not_expr := ("NOT" | "-") not_expr | primary
    primary  := "(" or_expr ")" | term
    term     := FIELD OP values | values                (no field: text:)
    values   := value ("," value)*
    value    := WORD | STRING

A field, its operator and the first value are written without spaces: `due<+7d`.
Precedence: NOT > AND > OR. Nested And/Or are flattened: `(a b) c` is And(a, b, c).
"""

from __future__ import annotations

from typing import Final

from labora.work.query.ast import FIELDS, Field, Node, Not, Op, Term, Value, all_of, any_of
from labora.work.query.errors import QuerySyntaxError
from labora.work.query.fields import EQUALITY_OPS, FIELD_SPECS, FIELDS_BY_NAME
from labora.work.query.tokenizer import Kind, Token, tokenize
from labora.work.query.values import read_value

MAX_DEPTH: Final = 32

OPS_BY_TEXT: Final[dict[str, Op]] = {":": ":", "=": "=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
TERM_STARTS: Final = frozenset({Kind.WORD, Kind.STRING, Kind.LPAREN, Kind.MINUS, Kind.NOT})


def parse(text: str) -> Node | None:
    """Parse a query; None for an empty (or all-blank) query. Raises QuerySyntaxError."""
    tokens = tokenize(text)
    if tokens[0].kind is Kind.END:
        return None
    return _Parser(text, tokens).parse_query()


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    # --- token helpers ---

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def previous_text(self) -> str:
        return self.source[self.tokens[self.index - 1].start : self.tokens[self.index - 1].end]

    # --- grammar ---

    def parse_query(self) -> Node:
        node = self.parse_or()
        token = self.current
        if token.kind is Kind.RPAREN:
            raise QuerySyntaxError(
                f"Unexpected ')' at position {token.column}: there is no '(' to close", token.column, ()
            )
        if token.kind is not Kind.END:
            raise self.unexpected(token, "a term, AND, OR or the end of the query")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.current.kind is Kind.OR:
            self.advance()
            items.append(self.parse_and())
        return any_of(*items)

    def parse_and(self) -> Node:
        items = [self.parse_not()]
        while True:
            kind = self.current.kind
            if kind is Kind.AND:
                self.advance()
            elif kind not in TERM_STARTS:
                break
            items.append(self.parse_not())
        return all_of(*items)

    def parse_not(self) -> Node:
        if self.current.kind in (Kind.NOT, Kind.MINUS):
            self.advance()
            self.enter()
            item = self.parse_not()
            self.depth -= 1
            return Not(item)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.current
        if token.kind is Kind.LPAREN:
            self.advance()
            self.enter()
            node = self.parse_or()
            self.depth -= 1
            closing = self.current
            if closing.kind is not Kind.RPAREN:
                raise QuerySyntaxError(
                    f"Expected ')' at position {closing.column} to close the '(' at position {token.column}"
                    + self.found(closing),
                    closing.column,
                    (")",),
                )
            self.advance()
            return node
        if token.kind is Kind.WORD:
            following = self.tokens[self.index + 1]
            if following.kind is Kind.OP and not following.spaced:
                return self.parse_field_term()
            return self.parse_text_term()
        if token.kind is Kind.STRING:
            return self.parse_text_term()
        raise self.unexpected(token, "a term")

    def parse_field_term(self) -> Term:
        name_token = self.advance()
        field = FIELDS_BY_NAME.get(name_token.text.lower())
        if field is None:
            raise QuerySyntaxError(
                f"Unknown field '{name_token.text}' at position {name_token.column}; known fields: {', '.join(FIELDS)}",
                name_token.column,
                FIELDS,
            )
        op_token = self.advance()
        op = OPS_BY_TEXT[op_token.text]
        spec = FIELD_SPECS[field]
        if op not in spec.ops:
            allowed = ", ".join(f"'{o}'" for o in spec.ops)
            raise QuerySyntaxError(
                f"Operator '{op}' is not valid for field '{field}' at position {op_token.column}; use {allowed}",
                op_token.column,
                tuple(spec.ops),
            )
        after = self.source[name_token.start : op_token.end]
        first = self.current
        if first.kind not in (Kind.WORD, Kind.STRING) or first.spaced:
            raise QuerySyntaxError(
                f"Expected a value after '{after}' at position {op_token.end + 1}",
                op_token.end + 1,
                ("a value",),
            )
        return Term(field, op, self.parse_values(field, op, after))

    def parse_text_term(self) -> Term:
        return Term("text", ":", self.parse_values("text", ":", "text:"))

    def parse_values(self, field: Field, op: Op, after: str) -> tuple[Value, ...]:
        values = [self.parse_value(field, op, after)]
        while self.current.kind is Kind.COMMA:
            comma = self.advance()
            if op not in EQUALITY_OPS:
                raise QuerySyntaxError(
                    f"Unexpected ',' at position {comma.column}: a list of values only goes with "
                    f"':', '=' or '!=', and '{after}' takes one value",
                    comma.column,
                    (),
                )
            if self.current.kind not in (Kind.WORD, Kind.STRING):
                raise QuerySyntaxError(
                    f"Expected a value after ',' at position {self.current.column}" + self.found(self.current),
                    self.current.column,
                    ("a value",),
                )
            values.append(self.parse_value(field, op, after))
        return tuple(values)

    def parse_value(self, field: Field, op: Op, after: str) -> Value:
        token = self.advance()
        return read_value(field, op, token.text, token.kind is Kind.STRING, token.column, after)

    # --- errors and limits ---

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.tokens[self.index - 1]
            raise QuerySyntaxError(
                f"The query nests too deeply at position {token.column}: at most {MAX_DEPTH} levels of "
                f"parentheses and NOT",
                token.column,
                (),
            )

    def found(self, token: Token) -> str:
        if token.kind is Kind.END:
            return ", found the end of the query"
        return f", found '{self.source[token.start : token.end]}'"

    def unexpected(self, token: Token, expected: str) -> QuerySyntaxError:
        if token.kind is Kind.OP:
            hint = "; an operator goes right after a field name, without spaces, e.g. due<+7d"
            if self.index > 0 and self.tokens[self.index - 1].kind in (Kind.WORD, Kind.STRING):
                return QuerySyntaxError(
                    f"Unexpected '{token.text}' at position {token.column}{hint}", token.column, (expected,)
                )
            return QuerySyntaxError(
                f"Expected {expected} at position {token.column}, found '{token.text}'{hint}",
                token.column,
                (expected,),
            )
        if self.index > 0 and self.tokens[self.index - 1].kind in (Kind.AND, Kind.OR, Kind.NOT, Kind.LPAREN):
            return QuerySyntaxError(
                f"Expected {expected} after '{self.previous_text()}' at position {token.column}" + self.found(token),
                token.column,
                (expected,),
            )
        return QuerySyntaxError(
            f"Expected {expected} at position {token.column}" + self.found(token), token.column, (expected,)
        )
