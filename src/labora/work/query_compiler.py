"""The query language's Django side: a parsed tree (labora.work.query) becomes a Q for Task.

    q = compile_query("status:open assignee:me due<+7d", user=user, workspace=ws, today=day)
    Task.objects.filter(workspace=ws).filter(q)

`text:` (and a bare word, which the parser reads as `text:`) is full-text search over the
task's title and description (labora.work.search: PostgreSQL GIN / SQLite FTS5): the words of
the text terms that sit side by side in one AND are searched together, all of them required and
the last one as a prefix; without an explicit `order`, such a query sorts by relevance
(`order_by(..., ranked_by=node)`).
Multi-valued relations (labels) are matched through correlated EXISTS subqueries, so a match
never duplicates rows and NOT means "has none of them"; the one label every match must have is a
plain join instead, which is cheaper and cannot duplicate a row (_joinable_label).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, When
from django.db.models import Value as V
from django.utils import timezone

from labora.core.errors import ValidationError
from labora.work import query, search
from labora.work.models import CLOSED_CATEGORIES, PRIORITY_BY_NAME, Category, Label, Project, Task, TaskType
from labora.work.query import (
    And,
    Date,
    Me,
    NamedDate,
    Node,
    NoneValue,
    Not,
    Number,
    Or,
    QuerySyntaxError,
    RelativeDate,
    Term,
    Text,
    Value,
)
from labora.work.services.tasks import parse_task_key

ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "status": ("status__position",),
    "category": ("status__category",),
    "assignee": ("assignee__email",),
    "reporter": ("reporter__email",),
    "priority": ("priority",),
    "type": ("type",),
    "project": ("project__key",),
    "due": ("due_date",),
    "start": ("start_date",),
    "created": ("created_at",),
    "updated": ("updated_at",),
    "estimate": ("estimate_minutes",),
    "parent": ("parent__project__key", "parent__number"),
    "key": ("project__key", "number"),
    "title": ("title",),
    "rank": ("rank",),
}


def user_today(user: Any) -> datetime.date:
    """Today's date where the user is (their profile's time zone; UTC when unknown)."""
    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def _user_zone(user: Any) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def syntax_error(exc: QuerySyntaxError, *, field: str = "q") -> ValidationError:
    return ValidationError(
        f"The query cannot be read: {exc.message}",
        code="invalid_query",
        fields={field: exc.message},
        extra={"position": exc.position, "expected": list(exc.expected)},
    )


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_query", fields={"q": message}, extra={"position": None})


def parse(text: str) -> Node | None:
    """Parse a `q` parameter. Raises ValidationError (invalid_query, with the position)."""
    try:
        return query.parse(text)
    except QuerySyntaxError as exc:
        raise syntax_error(exc) from None


def compile_query(
    text_or_node: str | Node | None,
    *,
    user: Any,
    workspace: Any,
    today: datetime.date,
    project: Project | None = None,
    from_pk: int | None = None,
    scan: bool = False,
) -> Q:
    """A Q over Task for a query (text or tree); an empty query matches everything.

    `project` narrows what `type:` accepts to that project's types (otherwise: the types of
    any project of the workspace). `from_pk`: the caller keeps only tasks with pk >= from_pk
    (a ranking window): text searches then look only there (search.matches); `scan`: see
    search.matches.
    Raises ValidationError (code invalid_query) for a syntax error or a value the data cannot
    have (an unknown priority, category or type, a malformed task key, a text with no word).
    """
    node = parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
    if node is None:
        return Q()
    return _Compiler(
        user=user,
        workspace=workspace,
        today=today,
        project=project,
        from_pk=from_pk,
        scan=scan,
        join_label=_joinable_label(node),
    ).node(node)


def _joinable_label(node: Node) -> Value | None:
    """The value of the first `label:name` term (one name, no `none`) that every match must
    satisfy: reached from the top through ANDs only, so never under an OR or a NOT.

    Such a term may be a plain join on the task-label links instead of a correlated EXISTS:
    as a task has a label at most once (the links are unique per task and label), a join with
    one label's links neither duplicates nor drops a task. Only one term of a query is joined:
    two conditions on one join would ask for a single link holding both labels."""
    if isinstance(node, Term):
        if node.field == "label" and node.op in (":", "=") and len(node.values) == 1:
            value = node.values[0]
            return value if isinstance(value, Text) else None
        return None
    if isinstance(node, And):
        for item in node.items:
            found = _joinable_label(item)
            if found is not None:
                return found
    return None


def search_words(node: Node | None) -> search.Words | None:
    """The words to rank by: those of every text term that is not under a NOT (any of them)."""
    groups: list[search.Words] = []

    def walk(item: Node) -> None:
        if isinstance(item, (And, Or)):
            for child in item.items:
                walk(child)
        elif isinstance(item, Term) and item.field == "text":
            for value in item.values:
                words = search.Words.of([_text(value)])
                if words is not None:
                    groups.append(words)

    if node is not None:
        walk(node)
    return search.Words.any_of(groups)


def order_by(text: str | None, *, ranked_by: Node | None = None, from_pk: int | None = None) -> list[Any]:
    """Django order_by() expressions for an `order` parameter; the default is rank.

    With no `order` and a query `ranked_by` that searches text, the best matches come first
    (then rank). Empty values sort last in either direction, on both databases; `key` breaks
    ties. Raises ValidationError (invalid_query on field `order`). `from_pk`: see search.rank.
    """
    try:
        fields = query.parse_order(text or "")
    except QuerySyntaxError as exc:
        raise syntax_error(exc, field="order") from None
    expressions: list[Any] = []
    words = search_words(ranked_by) if not fields else None
    if words is not None:
        expressions.append(search.rank(words, from_pk=from_pk).desc(nulls_last=True))
    for field, descending in fields or [("rank", False)]:
        for column in ORDER_COLUMNS[field]:
            expression: Any = F(column)
            if column == "status__category":  # workflow order, not alphabetical
                expression = Case(
                    *(When(status__category=c, then=V(i)) for i, c in enumerate(Category.values)),
                    output_field=IntegerField(),
                )
            expressions.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
    expressions.append(F("id").asc())
    return expressions


class _Compiler:
    def __init__(
        self,
        *,
        user: Any,
        workspace: Any,
        today: datetime.date,
        project: Project | None = None,
        from_pk: int | None = None,
        scan: bool = False,
        join_label: Value | None = None,
    ) -> None:
        self.user = user
        self.workspace = workspace
        self.today = today
        self.project = project
        self.from_pk = from_pk
        self.scan = scan
        self.zone = _user_zone(user)
        self._types: dict[str, list[str]] | None = None
        self.join_label = join_label  # the label term compiled as a join (_joinable_label)

    def node(self, node: Node) -> Q:
        if isinstance(node, And):
            # Side-by-side single text terms (`deploy pipe`) are one search: every word, the
            # last one as a prefix, in one index lookup.
            texts = [item for item in node.items if _single_text(item)]
            result = self._search([_text(t.values[0]) for t in texts]) if len(texts) > 1 else Q()  # type: ignore[union-attr]  # _single_text: a Term
            for item in node.items:
                if len(texts) > 1 and item in texts:
                    continue
                result &= self.node(item)
            return result
        if isinstance(node, Or):
            result = self.node(node.items[0])
            for item in node.items[1:]:
                result |= self.node(item)
            return result
        if isinstance(node, Not):
            return ~self.node(node.item)
        return self.term(node)

    def term(self, term: Term) -> Q:
        if term.op == "!=":
            # "field != a,b" is "neither a nor b".
            return ~self._any(term, ":")
        return self._any(term, term.op)

    def _any(self, term: Term, op: str) -> Q:
        build: Callable[[str, Value], Q] = getattr(self, f"_{term.field}")
        result = build(op, term.values[0])
        for value in term.values[1:]:
            result |= build(op, value)
        return result

    # --- text fields ---

    def _status(self, op: str, value: Value) -> Q:
        name = _text(value)
        if name.lower() == "open":
            return ~Q(status__category__in=CLOSED_CATEGORIES)
        if name.lower() == "closed":
            return Q(status__category__in=CLOSED_CATEGORIES)
        return Q(status__name__iexact=name)

    def _category(self, op: str, value: Value) -> Q:
        name = _text(value).lower().replace(" ", "_").replace("-", "_")
        if name not in Category.values:
            raise _invalid(f"Unknown category '{_text(value)}'. Categories: {', '.join(Category.values)}.")
        return Q(status__category=name)

    def _person(self, column: str, value: Value) -> Q:
        if isinstance(value, Me):
            return Q(**{f"{column}_id": getattr(self.user, "pk", None)})
        if isinstance(value, NoneValue):
            return Q(**{f"{column}__isnull": True})
        who = _text(value)
        return Q(**{f"{column}__email__iexact": who}) | Q(**{f"{column}__handle__iexact": who.lstrip("@")})

    def _assignee(self, op: str, value: Value) -> Q:
        return self._person("assignee", value)

    def _reporter(self, op: str, value: Value) -> Q:
        return self._person("reporter", value)

    def _priority(self, op: str, value: Value) -> Q:
        name = _text(value).lower()
        if name not in PRIORITY_BY_NAME:
            raise _invalid(f"Unknown priority '{_text(value)}'. Priorities: urgent, high, medium, low, none.")
        return _compare("priority", op, PRIORITY_BY_NAME[name])

    def _label(self, op: str, value: Value) -> Q:
        # A correlated EXISTS probing the (task, label) index with the label's id, not
        # `pk IN (tasks with the label)`: a label's tasks over the whole workspace can be ten
        # times the project's share, and with IN the database fetches every one of them to
        # throw most away; with EXISTS it walks the project's tasks (in the page's order, so a
        # page stops once it is full) and the count reads only the project's live-task index.
        links = Task.labels.through.objects.filter(task_id=OuterRef("pk"))
        if isinstance(value, NoneValue):
            return ~Q(Exists(links.filter(label__deleted_at__isnull=True)))
        # The label's id is looked up first (one small query): probing with a constant is twice
        # as fast on SQLite as probing with a subquery nested in the correlated one.
        named = Label.objects.filter(workspace=self.workspace, name__iexact=_text(value), deleted_at__isnull=True)
        ids = list(named.values_list("pk", flat=True))
        if not ids:
            return Q(pk__in=[])
        if value is self.join_label and len(ids) == 1:
            # Cheaper than EXISTS on both databases: on SQLite a COUNT over a project's 10,000
            # tasks takes 3.3 ms instead of 4.7 (decision 0016, docs/performance.md).
            return Q(labels=ids[0])
        return Q(Exists(links.filter(label_id__in=ids)))

    def _known_types(self) -> dict[str, list[str]]:
        """Lower-cased type name -> its spellings: the built-in types and the custom types of
        the project (or, with none, of every project of the workspace; one query)."""
        if self._types is None:
            types: dict[str, list[str]] = {name: [name] for name in TaskType.values}
            if self.project is not None:
                custom = [self.project.custom_types]
            else:
                custom = list(
                    Project.all_objects.filter(workspace=self.workspace).values_list("custom_types", flat=True)
                )
            for items in custom:
                for item in items or []:
                    name = item.get("name") if isinstance(item, dict) else item
                    if isinstance(name, str) and name:
                        spellings = types.setdefault(name.lower(), [])
                        if name not in spellings:
                            spellings.append(name)
            self._types = types
        return self._types

    def _type(self, op: str, value: Value) -> Q:
        known = self._known_types()
        spellings = known.get(_text(value).lower())
        if spellings is None:
            raise _invalid(
                f"Unknown type '{_text(value)}'. Types: {', '.join(sorted({s[0] for s in known.values()}))}."
            )
        return Q(type__in=spellings)

    def _project(self, op: str, value: Value) -> Q:
        return Q(project__key__iexact=_text(value))

    def _parent(self, op: str, value: Value) -> Q:
        if isinstance(value, NoneValue):
            return Q(parent__isnull=True)
        parsed = parse_task_key(_text(value))
        if parsed is None:
            raise _invalid(f"'{_text(value)}' is not a task key; parent takes a key such as OPS-12.")
        return Q(parent__project__key=parsed[0], parent__number=parsed[1])

    def _text(self, op: str, value: Value) -> Q:
        return self._search([_text(value)])

    def _search(self, texts: list[str]) -> Q:
        for text in texts:
            if search.Words.of([text]) is None:
                raise _invalid(f"Nothing to search for in '{text}': text search looks for words (letters or digits).")
        words = search.Words.of(texts)
        assert words is not None
        return search.matches(words, from_pk=self.from_pk, scan=self.scan)

    # --- dates and numbers ---

    def _day(self, value: Value) -> datetime.date:
        assert isinstance(value, (Date, RelativeDate, NamedDate))
        try:
            return query.resolve(value, self.today)
        except ValueError as exc:
            raise _invalid(f"The date is outside the calendar: {exc}.") from None

    def _date_field(self, column: str, op: str, value: Value) -> Q:
        if isinstance(value, NoneValue):
            return Q(**{f"{column}__isnull": True})
        return _compare(column, op, self._day(value))

    def _due(self, op: str, value: Value) -> Q:
        if isinstance(value, NamedDate) and value.name == "overdue":
            return Q(due_date__lt=self.today) & ~Q(status__category__in=CLOSED_CATEGORIES)
        return self._date_field("due_date", op, value)

    def _start(self, op: str, value: Value) -> Q:
        return self._date_field("start_date", op, value)

    def _moment(self, column: str, op: str, value: Value) -> Q:
        # A timestamp matches a day in the user's time zone: [that midnight, next midnight).
        day = self._day(value)
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=self.zone)
        try:
            end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=self.zone)
        except OverflowError:
            end = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        if op in (":", "="):
            return Q(**{f"{column}__gte": start, f"{column}__lt": end})
        return {
            "<": Q(**{f"{column}__lt": start}),
            "<=": Q(**{f"{column}__lt": end}),
            ">": Q(**{f"{column}__gte": end}),
            ">=": Q(**{f"{column}__gte": start}),
        }[op]

    def _created(self, op: str, value: Value) -> Q:
        return self._moment("created_at", op, value)

    def _updated(self, op: str, value: Value) -> Q:
        return self._moment("updated_at", op, value)

    def _estimate(self, op: str, value: Value) -> Q:
        if isinstance(value, NoneValue):
            return Q(estimate_minutes__isnull=True)
        assert isinstance(value, Number)
        minutes = round(value.hours * Decimal(60))
        return _compare("estimate_minutes", op, minutes)


def _text(value: Value) -> str:
    if isinstance(value, Text):
        return value.value
    if isinstance(value, Me):
        return "me"
    if isinstance(value, NoneValue):
        return "none"
    raise _invalid(f"Expected a word, found {value!r}.")


def _single_text(node: Node) -> bool:
    return isinstance(node, Term) and node.field == "text" and len(node.values) == 1


def _compare(column: str, op: str, value: Any) -> Q:
    lookup = {":": "exact", "=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}[op]
    return Q(**{f"{column}__{lookup}": value})
