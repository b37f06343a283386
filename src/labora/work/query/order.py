"""The `order` parameter: comma-separated field names, `-` for descending (`-updated,priority`)."""

from __future__ import annotations

from labora.work.query.errors import QuerySyntaxError
from labora.work.query.fields import ORDER_FIELDS, ORDER_FIELDS_BY_NAME, OrderField
from labora.work.query.tokenizer import MAX_QUERY_LENGTH


def parse_order(text: str) -> list[tuple[OrderField, bool]]:
    """`"-updated,priority"` -> `[("updated", True), ("priority", False)]` (True = descending).

    Blank text gives []. A leading `+` is allowed and means ascending. Raises QuerySyntaxError for an
    unknown field (the message lists the known ones), an empty item or a field given twice.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"The order is too long: at most {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH + 1)
    if text.strip() == "":
        return []
    result: list[tuple[OrderField, bool]] = []
    seen: set[OrderField] = set()
    offset = 0
    for item in text.split(","):
        stripped = item.strip()
        column = offset + (len(item) - len(item.lstrip())) + 1
        offset += len(item) + 1
        descending = stripped.startswith("-")
        name = stripped[1:] if stripped[:1] in ("-", "+") else stripped
        if name == "":
            raise QuerySyntaxError(
                f"Expected a field name at position {column}; known fields: {', '.join(ORDER_FIELDS)}",
                column,
                ORDER_FIELDS,
            )
        field = ORDER_FIELDS_BY_NAME.get(name.lower())
        if field is None:
            raise QuerySyntaxError(
                f"Unknown order field '{name}' at position {column}; known fields: {', '.join(ORDER_FIELDS)}",
                column,
                ORDER_FIELDS,
            )
        if field in seen:
            raise QuerySyntaxError(f"The field '{field}' appears twice in the order at position {column}", column)
        seen.add(field)
        result.append((field, descending))
    return result
