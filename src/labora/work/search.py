"""Full-text search over tasks, one interface over two engines (docs/decisions/0007).

    words = search.Words.of(["deploy pipe"])        # None when nothing searchable was typed
    Task.objects.filter(search.matches(words))      # a Q: every word, the last one as a prefix
    .order_by(search.rank(words).desc())            # higher is better

- PostgreSQL: a `search_document` tsvector column kept by a trigger (title weighted A,
  description B, in the `labora_search` configuration: simple + unaccent when available) with
  a GIN index; `@@` to match, `ts_rank` to rank, `:*` for the prefix.
- SQLite: an FTS5 external-content table `work_task_fts` over work_task(title, description),
  kept in sync by triggers, tokenised by unicode61 with diacritics removed; MATCH to match,
  bm25 to rank, `"…"*` for the prefix.

What is searched is a list of `Source`s (the task's own title and description) plus the
comments on the task (labora.collaboration.search, its own index whose rows point to their
task). A source answers "which tasks match" as a Q on Task and "how well" as an expression on
Task; `matches` ORs the sources and the comments, and `rank` adds up the task's own sources.

User input never reaches SQL text: it is a bound parameter, and inside that parameter every
piece is quoted for the engine's own syntax (a tsquery lexeme in single quotes, an FTS5
string in double quotes), so `"`, `*`, `-`, `NEAR`, `AND`, `OR`, `NOT`, `:`, `&`, `|`, `!`
are only ever text.

The index objects are made by migration 0003_fulltext and re-made by `ensure()` after every
`migrate` (post_migrate): test databases built without migrations get them that way, and a
SQLite table rebuild by a later migration (which drops the table's triggers) is repaired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigAutoField, BooleanField, Expression, F, FloatField, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler

PG_CONFIG: Final = "labora_search"
PG_COLUMN: Final = "search_document"  # on each source table; not a model field (see 0007)
MAX_WORDS: Final = 16  # more words than this narrow nothing down; they only cost time
MAX_WORD_LENGTH: Final = 100

# A piece of input is searchable when it holds a letter or a digit: both engines split text
# into words at everything else (the underscore included).
_SEARCHABLE = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class Words:
    """What to look for: pieces of text, each (piece, prefix); all required, or any when `any`.

    A piece is a run of non-blank characters as typed (`foo-bar`, `o'neil`, `v2.1`): each
    engine splits it into words the way it split the documents, and matches them as a phrase.
    """

    pieces: tuple[tuple[str, bool], ...]
    any: bool = False

    @classmethod
    def of(cls, texts: Iterable[str]) -> Words | None:
        """The searchable pieces of `texts` in order, the last one a prefix; None when none is."""
        pieces = [p[:MAX_WORD_LENGTH] for text in texts for p in text.split() if _SEARCHABLE.search(p)]
        pieces = pieces[:MAX_WORDS]
        if not pieces:
            return None
        return cls(tuple((p, i == len(pieces) - 1) for i, p in enumerate(pieces)))

    @classmethod
    def any_of(cls, groups: Sequence[Words]) -> Words | None:
        """Every piece of `groups`, any of which may match (for ranking an OR of searches)."""
        pieces = [piece for group in groups for piece in group.pieces][:MAX_WORDS]
        return cls(tuple(pieces), any=True) if pieces else None


def tsquery_text(words: Words) -> str:
    """PostgreSQL to_tsquery() input: each piece a quoted lexeme (`:*` for a prefix), joined
    by `&` (or `|` for any).

    Inside single quotes a tsquery operator is plain text; the configuration's parser then
    splits the piece as it split the document (`foo-bar` becomes a phrase of its parts).
    """
    quoted = [
        "'" + piece.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")
        for piece, prefix in words.pieces
    ]
    return (" | " if words.any else " & ").join(quoted)


def fts5_text(words: Words) -> str:
    """SQLite FTS5 MATCH input: each piece a string in double quotes (a phrase of its tokens;
    `*` after it makes its last token a prefix), joined by AND (or OR for any)."""
    quoted = ['"' + piece.replace('"', '""') + '"' + ("*" if prefix else "") for piece, prefix in words.pieces]
    return (" OR " if words.any else " AND ").join(quoted)


# --- sources ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A table whose text finds tasks; here the task table itself (a row is a task).

    `columns` are (column, weight) with weight A (strongest) .. D; `fts_table` is the SQLite
    FTS5 table and `pg_index` the PostgreSQL GIN index over the same columns. A source over
    another table (comments) overrides `matches`/`rank` with subqueries through its task id.
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    fts_table: str
    pg_index: str
    migration: tuple[str, str]  # (app label, migration name) that installs it

    # --- the query side (on Task) ---

    def matches(self, words: Words, vendor: str, from_pk: int | None = None, scan: bool = False) -> Q:
        if vendor == "postgresql":  # (`from_pk`: the caller's own filter on the rows is enough)
            return Q(_PgMatch(_PgDocument(self), _PgQuery(words)))
        fts = self.fts_table
        found = f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s'  # noqa: S608  (names from SOURCES, input bound)
        if scan:
            return Q(pk__in_scan=RawSQL(found, (fts5_text(words),)))  # noqa: S611  (as above)
        if from_pk is None:
            return Q(pk__in=RawSQL(found, (fts5_text(words),)))  # noqa: S611  (as above)
        # FTS5 applies a rowid range itself: only the window's matches are listed (with the rank's
        # own FTS query in the same statement, listing every match cost 25 ms more for 18,000).
        return Q(pk__in=RawSQL(found + " AND rowid >= %s", (fts5_text(words), from_pk)))  # noqa: S611

    def rank(self, words: Words, vendor: str, from_pk: int | None = None) -> Expression:
        if vendor == "postgresql":
            # Weights A (title) 1.0, B (description) 0.4; no length normalisation, which would
            # put a one-word title above a title holding more of the words searched for.
            # (PostgreSQL computes it only for the rows the query keeps: `from_pk` is the caller's filter.)
            return Func(_PgDocument(self), _PgQuery(words), function="ts_rank", output_field=FloatField())
        return _Fts5Rank(self, fts5_text(words), from_pk)

    # --- the schema side ---

    def pg_document_sql(self, row: str) -> str:
        """The weighted tsvector of a row (`row` is NEW in the trigger, the table in a backfill)."""
        return " || ".join(
            f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, COALESCE({row}.\"{column}\", '')), '{weight}')"
            for column, weight in self.columns
        )

    def install_sql(self, vendor: str) -> list[str]:
        names = ", ".join(f'"{c}"' for c, _ in self.columns)
        if vendor == "postgresql":
            table, column, trigger = self.table, PG_COLUMN, f"{self.table}_{PG_COLUMN}"
            quoted = f'"{table}"'
            return [
                # (ensure() runs this on a table that may have it: then nothing is altered, which
                # matters inside a transaction with pending constraint checks.)
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns "  # noqa: S608  (no input)
                f"WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = '{column}') "
                f'THEN ALTER TABLE "{table}" ADD COLUMN "{column}" tsvector; END IF; END $$',
                f'CREATE OR REPLACE FUNCTION "{trigger}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f'BEGIN NEW."{column}" := {self.pg_document_sql("NEW")}; RETURN NEW; END $$',
                f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"',
                f'CREATE TRIGGER "{trigger}" BEFORE INSERT OR UPDATE OF {names} ON "{table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{trigger}"()',
                # Index what the table already holds (no trigger fires: only the document changes).
                f'UPDATE "{table}" SET "{column}" = {self.pg_document_sql(quoted)}',  # noqa: S608  (no input)
                f"DO $$ BEGIN IF to_regclass('\"{self.pg_index}\"') IS NULL THEN "
                f'CREATE INDEX "{self.pg_index}" ON "{table}" USING gin ("{column}"); END IF; END $$',
            ]
        new = ", ".join(f'new."{c}"' for c, _ in self.columns)
        old = ", ".join(f'old."{c}"' for c, _ in self.columns)
        fts = self.fts_table
        # Schema text from SOURCES only: nothing here comes from a user.
        delete = f'INSERT INTO "{fts}"("{fts}", rowid, {names}) VALUES (\'delete\', old.id, {old});'  # noqa: S608
        insert = f'INSERT INTO "{fts}"(rowid, {names}) VALUES (new.id, {new});'  # noqa: S608
        return [
            f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5({names}, content="{self.table}", '
            "content_rowid=\"id\", tokenize='unicode61 remove_diacritics 2')",
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{self.table}" BEGIN {insert} END',
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{self.table}" BEGIN {delete} END',
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF {names} ON "{self.table}" '
            f"BEGIN {delete} {insert} END",
            # Index what the table already holds (a no-op on an empty one).
            f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',  # noqa: S608  (no input)
        ]

    def uninstall_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            trigger = f"{self.table}_{PG_COLUMN}"
            return [
                f'DROP INDEX IF EXISTS "{self.pg_index}"',
                f'DROP TRIGGER IF EXISTS "{trigger}" ON "{self.table}"',
                f'DROP FUNCTION IF EXISTS "{trigger}"()',
                f'ALTER TABLE "{self.table}" DROP COLUMN IF EXISTS "{PG_COLUMN}"',
            ]
        fts = self.fts_table
        return [
            f'DROP TRIGGER IF EXISTS "{fts}_ai"',
            f'DROP TRIGGER IF EXISTS "{fts}_ad"',
            f'DROP TRIGGER IF EXISTS "{fts}_au"',
            f'DROP TABLE IF EXISTS "{fts}"',
        ]

    def installed(self, conn: BaseDatabaseWrapper) -> bool:
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(
                    "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexname = %s)"
                    " + (SELECT count(*) FROM information_schema.columns WHERE table_name = %s AND column_name = %s)"
                    " + (SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal)",
                    [self.table, self.pg_index, self.table, PG_COLUMN, f"{self.table}_{PG_COLUMN}"],
                )
                return int(cursor.fetchone()[0]) == 3
            names = [self.fts_table, *(f"{self.fts_table}_{s}" for s in ("ai", "ad", "au"))]
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", names)
            return int(cursor.fetchone()[0]) == len(names)


TASKS: Final = Source(
    table="work_task",
    columns=(("title", "A"), ("description", "B")),
    fts_table="work_task_fts",
    pg_index="work_task_fulltext",
    migration=("work", "0003_fulltext"),
)
SOURCES: Final[tuple[Source, ...]] = (TASKS,)


def matches(words: Words, *, vendor: str | None = None, from_pk: int | None = None, scan: bool = False) -> Q:
    """A Q on Task: the tasks that some source finds for every word. `from_pk`: the query keeps
    only tasks with pk >= from_pk anyway (a ranking window): the index is asked only for those.

    `scan` (SQLite): for a query that walks the tasks in id order and stops early (the newest N
    of many matches; a count up to a cap), test each task against the matches instead of letting
    SQLite start from the matches: it would fetch every one of them and sort them first (40-50 ms
    for 18,000 matches, against 7 ms). Only where many_matches() says there are many: for a rare
    word it is the other way round (34 ms to walk 100,000 tasks, against 0.1 ms)."""
    vendor = vendor or default_connection.vendor
    scan = scan and vendor == "sqlite"
    result = Q()
    for source in SOURCES:
        result |= source.matches(words, vendor, from_pk, scan)
    return result | _comment_matches(words, vendor, scan)


def many_matches(words: Words, at_least: int, *, vendor: str | None = None) -> bool:
    """Whether the tasks' own text holds `words` at least `at_least` times (one small query on
    SQLite, reading at most that many index entries; False on PostgreSQL, which needs no scan).
    It counts every workspace's tasks: it only chooses how a search runs, never what it finds."""
    if (vendor or default_connection.vendor) != "sqlite":
        return False
    fts = TASKS.fts_table
    sql = f'SELECT COUNT(*) FROM (SELECT 1 FROM "{fts}" WHERE "{fts}" MATCH %s LIMIT %s)'  # noqa: S608  (name from SOURCES, input bound)
    with default_connection.cursor() as cursor:
        cursor.execute(sql, [fts5_text(words), at_least])
        (found,) = cursor.fetchone()
    return bool(found >= at_least)


@BigAutoField.register_lookup
class InScan(In):
    """`pk__in_scan=...`: `+pk IN (...)`, an IN that SQLite may not answer by looking the values
    up (the unary + hides the column from its planner), so it tests each row it walks instead.
    See matches(scan=True)."""

    lookup_name = "in_scan"

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        sql, params = super().as_sql(compiler, connection)
        return f"+{sql}", params


def _comment_matches(words: Words, vendor: str, scan: bool = False) -> Q:
    """The tasks with a live comment holding every word (the comment source of decision 0007).

    Comments rank nothing: a task found only by a comment sorts after those found by their own
    text. The import is late because labora.collaboration.search builds on this module."""
    from labora.collaboration.models import Comment
    from labora.collaboration.search import COMMENTS

    found = Comment.objects.filter(COMMENTS.matches(words, vendor), task__isnull=False).values("task_id")
    return Q(pk__in_scan=found) if scan else Q(pk__in=found)


def rank(words: Words, *, vendor: str | None = None, from_pk: int | None = None) -> Expression:
    """An expression on Task, higher for a better match; NULL (or 0) for a task it does not match.

    `from_pk`: the query only keeps tasks with pk >= from_pk (a ranking window, see
    selectors.rank_window); SQLite's FTS5 then scores only those rows instead of every match.
    """
    vendor = vendor or default_connection.vendor
    total: Any = None
    for source in SOURCES:
        term = source.rank(words, vendor, from_pk)
        total = term if total is None else total + term
    return total


# --- installing -------------------------------------------------------------------------------


def _pg_configuration_sql(with_unaccent: bool) -> list[str]:
    statements = [
        "DO $$ BEGIN "  # noqa: S608  (no input)
        f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{PG_CONFIG}' "
        "AND cfgnamespace = current_schema()::regnamespace) THEN "
        f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = simple); "
        "END IF; END $$"
    ]
    if with_unaccent:
        statements.append(
            f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple"
        )
    return statements


def _pg_unaccent(conn: BaseDatabaseWrapper) -> bool:
    """Make the unaccent extension available if this server has it and we may; False if not.

    It is a "trusted" extension (PostgreSQL 13+): a database owner may create it.
    """
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'unaccent'")
        if not cursor.fetchone()[0]:
            return False
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError:  # not allowed here: accents then count, everything else works
        return False
    return True


def install(conn: BaseDatabaseWrapper, sources: Sequence[Source] = SOURCES) -> None:
    """Create the sources' index objects (idempotent) and index the rows already there."""
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_ts_config WHERE cfgname = %s", [PG_CONFIG])
            if not cursor.fetchone()[0]:
                for sql in _pg_configuration_sql(_pg_unaccent(conn)):
                    cursor.execute(sql)
        for source in sources:
            for sql in source.install_sql(conn.vendor):
                cursor.execute(sql)


def uninstall(conn: BaseDatabaseWrapper, sources: Sequence[Source] = SOURCES) -> None:
    """Drop the sources' index objects (the PostgreSQL configuration stays: harmless)."""
    with conn.cursor() as cursor:
        for source in sources:
            for sql in source.uninstall_sql(conn.vendor):
                cursor.execute(sql)


def supported(conn: BaseDatabaseWrapper) -> bool:
    return conn.vendor in ("postgresql", "sqlite")


def ensure(conn: BaseDatabaseWrapper, sources: Sequence[Source] = SOURCES) -> list[Source]:
    """Install the sources that miss a piece; returns those that had to be (re)made.

    A source with a missing piece is dropped and made again, and its rows re-indexed: on SQLite
    a later migration that rebuilds work_task (Django copies the table) drops its triggers.
    """
    if not supported(conn):
        return []
    missing = [s for s in sources if not s.installed(conn)]
    if missing:
        if conn.vendor == "sqlite":  # the FTS table may be out of step: make it afresh
            uninstall(conn, missing)
        install(conn, missing)  # PostgreSQL: idempotent, and it recomputes every document
    return missing


def ensure_after_migrate(using: str = "default", **_: Any) -> None:
    """post_migrate: (re)make the index objects of every source whose table should have them.

    That is a source whose app is built without migrations (tests: syncdb) or whose installing
    migration is applied; after `migrate work 0002` it stays uninstalled.
    """
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    if not supported(conn):
        return
    tables = set(conn.introspection.table_names())
    applied = set(MigrationRecorder(conn).applied_migrations()) if MigrationRecorder(conn).has_table() else set()
    wanted = [
        source
        for source in SOURCES
        if source.table in tables
        and (MigrationLoader.migrations_module(source.migration[0])[0] is None or source.migration in applied)
    ]
    ensure(conn, wanted)


# --- expressions --------------------------------------------------------------------------------


class _PgDocument(Func):
    """The source table's stored tsvector column, under whatever alias the query gives the table."""

    output_field = FloatField()  # never selected; only fed to @@ and ts_rank

    def __init__(self, source: Source) -> None:
        super().__init__(F("pk"))
        self.source = source

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]  # Func's keyword arguments are not used
        column = self.get_source_expressions()[0]
        return f'{compiler.quote_name_unless_alias(column.alias)}."{PG_COLUMN}"', []


class _PgQuery(Func):
    output_field = FloatField()  # never selected

    def __init__(self, words: Words) -> None:
        super().__init__(Value(tsquery_text(words)))

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]  # as above
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"to_tsquery('{PG_CONFIG}'::regconfig, {sql})", list(params)


class _PgMatch(Func):
    output_field = BooleanField()
    arg_joiner = " @@ "
    template = "(%(expressions)s)"


class _Fts5Rank(Func):
    """-bm25 of the task's row in the FTS5 table for this query (higher is better)."""

    output_field = FloatField()

    def __init__(self, source: Source, match: str, from_pk: int | None = None) -> None:
        super().__init__(F("pk"))
        self.source = source
        self.match = match
        self.from_pk = from_pk

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]  # as above
        pk, params = compiler.compile(self.get_source_expressions()[0])
        fts = self.source.fts_table
        weights = ", ".join({"A": "10.0", "B": "4.0", "C": "2.0", "D": "1.0"}[w] for _, w in self.source.columns)
        # The FTS query runs once per statement: `LIMIT -1` keeps SQLite from flattening the
        # inner query into a per-row MATCH (seconds on a prefix); it is materialised with an
        # automatic index on rowid instead, which each row then looks up.
        # A rowid range is one of the constraints FTS5 applies itself: with `from_pk` only the
        # window's matches are scored.
        window = "" if self.from_pk is None else " AND rowid >= %s"
        sql = (
            f'(SELECT ranked.score FROM (SELECT rowid AS id, -bm25("{fts}", {weights}) AS score '  # noqa: S608  (bound)
            f'FROM "{fts}" WHERE "{fts}" MATCH %s{window} LIMIT -1) AS ranked WHERE ranked.id = {pk})'
        )
        bound = [self.match] if self.from_pk is None else [self.match, self.from_pk]
        return sql, [*bound, *params]
