"""The board's fast path: cards built from rows (BoardCard) say exactly what cards built from
Task objects said, and the page goes out gzipped with BREACH padding (decision 0010)."""

from __future__ import annotations

import datetime
import gzip
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labora.work import query_compiler, selectors, services
from labora.work.models import Project
from labora.work.services import labels as label_services
from labora.work.views import board
from labora.workspaces.models import Membership
from tests import factories

BOARD = "/w/acme/projects/OPS/board/"


@pytest.fixture
def client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    people = [factories.add_member(workspace).user for _ in range(3)]
    for i in range(12):
        services.task_create(
            actor=user,
            project=project,
            title=f'Card <{i}> & "quoted"',
            priority=["none", "low", "medium", "high", "urgent"][i % 5],
            assignee=people[i % 3].email if i % 4 else None,
            due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=40 * (i % 3)) if i % 2 else None,
            labels=["zeta", "alpha"] if i % 3 == 0 else (["beta"] if i % 3 == 1 else []),
        )
    # a trashed label leaves the cards
    gone = label_services.label_create(actor=user, workspace=workspace, name="gone")
    services.task_update(
        actor=user,
        task=selectors.task_get(user=user, workspace=workspace, key="OPS-2"),
        labels=["beta", "gone"],
    )
    gone.deleted_at = gone.created_at
    gone.save(update_fields=["deleted_at"])
    return project


def test_cards_from_rows_are_the_cards_from_tasks(user: Any, workspace: Any, project: Project) -> None:
    membership = Membership.objects.get(workspace=workspace, user=user)
    statuses = selectors.workflow_get(project=project)[0]
    today = query_compiler.user_today(user)
    found = selectors.task_list(user=user, workspace=workspace, project=project, membership=membership)
    urls = board.CardUrls(workspace)

    from_tasks = [board._decorate(t, today, urls, can_write=True).card_html for t in found]
    people: dict[int, str] = {}
    cards = board.board_cards(found, project, statuses)
    from_rows = [board._decorate(c, today, urls, can_write=True, people=people).card_html for c in cards]

    assert len(from_rows) == 12
    assert from_rows == from_tasks
    assert "&lt;0&gt; &amp; &quot;quoted&quot;" in from_rows[0]
    assert "gone" not in "".join(from_rows)
    assert len(people) == 3  # each assignee's avatar made once


def test_the_board_takes_three_queries_for_its_cards_whatever_their_number(
    client: Client, user: Any, project: Project
) -> None:
    def cards_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BOARD).status_code == 200
        return len(ctx.captured_queries)

    cards_queries()
    before = cards_queries()
    for i in range(30):
        services.task_create(actor=user, project=project, title=f"more {i}", labels=[f"l{i}"])
    assert cards_queries() == before


def test_the_board_is_gzipped_with_random_padding_for_clients_that_take_it(client: Client, project: Project) -> None:
    plain = client.get(BOARD)
    assert plain.get("Content-Encoding") is None
    assert "Accept-Encoding" in plain["Vary"]

    sizes = set()
    for _ in range(12):
        packed = client.get(BOARD, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed["Content-Encoding"] == "gzip"
        assert int(packed["Content-Length"]) == len(packed.content)
        html = gzip.decompress(packed.content).decode()
        assert "OPS-12" in html
        assert "</html>" in html
        sizes.add(len(packed.content))
    # the same page, different lengths: the gzip header's random-length name (Heal the BREACH)
    assert len(sizes) > 1
