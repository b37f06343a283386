"""Seed a benchmark workspace: 100,000 tasks over 50 projects, written in bulk.

Run in an environment whose LABORA_DATA_DIR / DATABASE_URL point at a migrated database
(`python -m bench work` does this for you):

    python -m bench.seed_work [--tasks 100000] [--projects 50] [--members 50] [--seed 7]

The workspace, its people, labels, projects (with their default workflows) and the API token
are made through the services, like any user would make them. The tasks are then written with
`bulk_create` in batches of BATCH rows, one transaction per batch, with their labels (the M2M
rows), parents, dates, estimates, priorities and statuses; each project's `task_counter` is
set to its highest task number, so the next task created through the service gets the next
key. A progress bar goes to stderr; one JSON object describing what was made goes to stdout.

The shape of the data:
- 50 projects (a few of them ongoing work streams); sizes are skewed like real portfolios:
  one large project of 10 % of all tasks, one "board" project of exactly 500 tasks, all open
  (the board benchmark's 500 cards), and the rest spread unevenly over the others;
- ~50 members; 15 % of tasks unassigned, the rest spread unevenly over the members (the
  bench user "me" gets an average share);
- statuses weighted like a living project (more done than in review), completed_at set on
  done ones; priorities, types (task, bug, milestone, and epics that parent ~30 % of tasks);
- due dates from two months ago to four months ahead (a quarter without one), some start
  dates and estimates; 0 to 3 of 20 labels per task;
- titles and Markdown descriptions built from a vocabulary, so that `text:` searches find
  a realistic few hundred or thousand matches.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import sys
import time
from typing import Any

BATCH = 2000
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105  (a throw-away bench database)
WORKSPACE_SLUG = "bench"
BOARD_TASKS = 500
LARGEST_SHARE = 0.10

PROJECTS = [
    ("CORE", "Core platform"),
    ("PORTAL", "Customer portal"),
    ("WEB", "Website relaunch"),
    ("APP", "Mobile app"),
    ("API", "Public API v2"),
    ("BILL", "Billing overhaul"),
    ("SEARCH", "Search and discovery"),
    ("DATA", "Data warehouse"),
    ("ML", "Recommendation models"),
    ("INFRA", "Infrastructure"),
    ("SEC", "Security programme"),
    ("SSO", "Single sign-on"),
    ("MIG", "Cloud migration"),
    ("OBS", "Observability"),
    ("PAY", "Payments"),
    ("CHK", "Checkout redesign"),
    ("CRM", "CRM integration"),
    ("ERP", "ERP roll-out"),
    ("HR", "HR onboarding"),
    ("LEGAL", "Contract management"),
    ("MKT", "Spring campaign"),
    ("BRAND", "Brand refresh"),
    ("CONT", "Content calendar"),
    ("SEO", "SEO programme"),
    ("EVT", "Annual conference"),
    ("PART", "Partner programme"),
    ("SALES", "Sales enablement"),
    ("DOCS", "Documentation"),
    ("L10N", "Localisation"),
    ("A11Y", "Accessibility audit"),
    ("DSGN", "Design system"),
    ("UX", "Usability research"),
    ("QA", "Test automation"),
    ("REL", "Release engineering"),
    ("DEVEX", "Developer experience"),
    ("EDGE", "Edge caching"),
    ("IOT", "Device fleet"),
    ("FIN", "Finance reporting"),
    ("PROC", "Procurement"),
    ("FAC", "Office move"),
    ("TRAIN", "Training academy"),
    ("GROW", "Growth experiments"),
    ("RET", "Retention"),
    ("INTL", "International expansion"),
    ("COMP", "Compliance (SOC 2)"),
    ("ITS", "IT support"),
    ("OPS", "Operations"),
    ("SUP", "Customer support"),
    ("FACIL", "Facilities requests"),
    ("ONCALL", "On-call and incidents"),
]
ONGOING = {"ITS", "OPS", "SUP", "FACIL", "ONCALL"}

FIRST_NAMES = [
    "Maya", "Jonas", "Priya", "Tomás", "Grace", "Liam", "Aiko", "Noah", "Fatima", "Lukas", "Sofia", "Mateo",
    "Chloé", "Arjun", "Ingrid", "Kwame", "Elena", "Yusuf", "Hannah", "Diego", "Mei", "Oskar", "Amara", "Ravi",
    "Leila", "Jakub", "Nora", "Emeka", "Sara", "Hugo", "Zanele", "Felix", "Ana", "Kenji", "Isla", "Omar",
    "Freya", "Tariq", "Lucía", "Sven", "Ama", "Pavel", "Rosa", "Idris", "Julia", "Marek", "Lina", "Bruno",
    "Aisha",
]  # fmt: skip
LAST_NAMES = [
    "Chen", "Weber", "Raman", "Ortega", "Okafor", "O'Connor", "Tanaka", "Kim", "Haddad", "Becker", "Rossi",
    "García", "Martin", "Patel", "Larsen", "Mensah", "Popescu", "Demir", "Schmidt", "Fernández", "Wang",
    "Nilsson", "Diallo", "Iyer", "Farah", "Nowak", "Berg", "Eze", "Cohen", "Dubois", "Dlamini", "Wagner",
    "Silva", "Sato", "Murray", "Aziz", "Hansen", "Khan", "Moreno", "Lind", "Asante", "Ivanov", "Costa",
    "Bello", "Novak", "Kowalski", "Haas", "Santos", "Yilmaz",
]  # fmt: skip

LABELS = [
    "bug", "frontend", "backend", "design", "docs", "security", "performance", "infra", "customer", "research",
    "ux", "mobile", "data", "billing", "ops", "legal", "marketing", "qa", "tech-debt", "accessibility",
]  # fmt: skip
LABEL_COUNT_WEIGHTS = [30, 40, 22, 8]  # 0, 1, 2, 3 labels

VERBS = [
    "Fix", "Build", "Design", "Review", "Write", "Test", "Plan", "Update", "Migrate", "Polish", "Draft",
    "Ship", "Investigate", "Document", "Refactor", "Automate", "Measure", "Prototype", "Clean up", "Speed up",
    "Translate", "Audit", "Replace", "Configure", "Archive",
]  # fmt: skip
OBJECTS = [
    "sign-in page", "password reset e-mail", "invoice PDF export", "pricing table", "search results ranking",
    "onboarding checklist", "notification settings", "dashboard widgets", "CSV import", "audit log",
    "webhook retries", "rate limiting", "session timeout", "profile photo upload", "dark mode colours",
    "release notes", "deployment pipeline", "database backups", "error pages", "cookie banner",
    "mobile navigation", "checkout flow", "tax calculation", "refund workflow", "support macros",
    "SLA report", "quarterly roadmap", "team calendar", "vendor contract", "office Wi-Fi", "laptop fleet",
    "VPN access", "SSO metadata", "API pagination", "OpenAPI examples", "changelog page", "landing page copy",
    "webinar slides", "press kit", "partner newsletter", "customer interviews", "churn analysis",
    "A/B test results", "KPI dashboard", "data retention policy", "GDPR request handling", "on-call rota",
    "incident post-mortem", "load balancer config", "TLS certificates", "log shipping", "metrics alerts",
    "cache invalidation", "image thumbnails", "e-mail templates", "localisation strings", "keyboard shortcuts",
    "screen reader labels", "print stylesheet", "billing address form",
]  # fmt: skip
QUALIFIERS = [
    "", "", "", "", "", " for enterprise customers", " on Safari", " in the EU region", " before launch",
    " after the migration", " for the Q3 release", " on Android", " on iOS", " for new hires",
    " (follow-up)", " in staging", " for the board meeting", " per customer feedback", " v2",
    " for accessibility review",
]  # fmt: skip
SENTENCES = [
    "Customers reported that the {obj} behaves differently than documented.",
    "The current {obj} was built in a hurry last year and needs a proper owner.",
    "We agreed in the planning meeting to {verb} the {obj} this cycle.",
    "See the attached screenshots: the {obj} overlaps the footer on small screens.",
    "Support has had a dozen tickets about this since the last release.",
    "Finance needs the invoice numbers to stay sequential after this change.",
    "Keep the old behaviour behind a flag until the regression tests pass.",
    "The vendor's documentation describes a newer version of the integration.",
    "Measure before and after: p95 latency, error rate and the number of queries.",
    "Legal asked us to check the wording with the data protection officer.",
    "Pair with design on the empty states and the error messages.",
    "The Kubernetes manifests need the new environment variables too.",
    "This blocks the release of the customer portal; please prioritise.",
    "Nice to have, not urgent; pick it up when the sprint has room.",
    "Write down the decision in the team's wiki when it is done.",
    "A spreadsheet with the affected accounts is in the shared drive.",
    "Check how the {obj} behaves with right-to-left languages.",
    "Timebox the investigation to two days and report back.",
]  # fmt: skip
CHECKLIST_LINES = [
    "update the tests",
    "ask for a review",
    "tell support",
    "update the docs",
    "check on mobile",
    "check the logs after deploy",
    "inform the customer",
]

PROJECT_STATUSES = [("Backlog", 3), ("To do", 4), ("In progress", 3), ("In review", 2), ("Done", 6), ("Cancelled", 1)]
ONGOING_STATUSES = [("New", 4), ("In progress", 3), ("Waiting", 2), ("Done", 7), ("Cancelled", 1)]
PRIORITIES = [(0, 3), (1, 3), (2, 4), (3, 2), (4, 1)]  # none .. urgent
TYPES = [("task", 80), ("bug", 16), ("milestone", 1)]
EPIC_SHARE = 0.02  # of each project's tasks: epics, made first, that others hang under
CHILD_SHARE = 0.30  # of the other tasks: children of an epic


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, every 10 % otherwise."""

    def __init__(self, total: int, label: str) -> None:
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.began = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.last_decile = -1

    def advance(self, n: int) -> None:
        self.done += n
        elapsed = time.perf_counter() - self.began
        rate = self.done / elapsed if elapsed else 0.0
        share = self.done / self.total
        width = 30
        bar = "#" * round(share * width) + "." * (width - round(share * width))
        text = f"{self.label} [{bar}] {self.done:,}/{self.total:,} {share:4.0%} {elapsed:5.1f} s {rate:,.0f}/s"
        if self.tty:
            sys.stderr.write("\r" + text)
            if self.done >= self.total:
                sys.stderr.write("\n")
        elif int(share * 10) != self.last_decile or self.done >= self.total:
            self.last_decile = int(share * 10)
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def project_sizes(total: int, projects: int, rng: random.Random) -> list[int]:
    """Sizes summing to `total`: [largest, board project, the rest unevenly]."""
    if projects < 3:
        raise SystemExit("--projects must be at least 3 (a large one, the board one, others).")
    largest = round(total * LARGEST_SHARE)
    board = min(BOARD_TASKS, max(total - largest, 0))
    rest = total - largest - board
    weights = [rng.uniform(0.3, 3.0) for _ in range(projects - 2)]
    sizes = [int(rest * w / sum(weights)) for w in weights]
    sizes[0] += rest - sum(sizes)
    return [largest, board, *sizes]


def _title(rng: random.Random) -> tuple[str, str, str]:
    verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
    return f"{verb} {obj}{rng.choice(QUALIFIERS)}", verb, obj


def _description(rng: random.Random, verb: str, obj: str) -> str:
    if rng.random() < 0.15:
        return ""
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        paragraphs.append(
            " ".join(rng.choice(SENTENCES).format(obj=obj, verb=verb.lower()) for _ in range(rng.randint(1, 3)))
        )
    if rng.random() < 0.3:
        paragraphs.append("\n".join(f"- [ ] {line}" for line in rng.sample(CHECKLIST_LINES, rng.randint(2, 4))))
    return "\n\n".join(paragraphs)


def seed(*, tasks: int, projects: int, members: int, rng_seed: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from labora.accounts.services import token_create, user_create
    from labora.work import rank
    from labora.work.models import CLOSED_CATEGORIES, Category, Label, Project, Status, Task
    from labora.work.services import project_create
    from labora.work.services.labels import label_create
    from labora.workspaces.models import Role
    from labora.workspaces.services import member_add_direct, workspace_create

    rng = random.Random(rng_seed)
    began = time.perf_counter()
    if projects > len(PROJECTS):
        raise SystemExit(f"--projects is at most {len(PROJECTS)}.")

    # --- through the services: people, workspace, labels, projects and their workflows ---
    people_bar = Progress(members, "people  ")
    owner = user_create(email=BENCH_EMAIL, password=BENCH_PASSWORD, name="Bench User")
    workspace = workspace_create(actor=owner, name="Benchmark", slug=WORKSPACE_SLUG)
    people = [owner]
    people_bar.advance(1)
    for i in range(members - 1):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7) % len(LAST_NAMES)]
        local = f"{first}.{last}.{i}".lower().replace("'", "")
        local = local.encode("ascii", "ignore").decode() or f"member{i}"
        user = user_create(email=f"{local}@example.com", password=secrets.token_urlsafe(24), name=f"{first} {last}")
        member_add_direct(workspace=workspace, user=user, role=Role.MEMBER, actor=owner)
        people.append(user)
        people_bar.advance(1)
    _token, raw_token = token_create(actor=owner, name="bench")
    labels = [label_create(actor=owner, workspace=workspace, name=name) for name in LABELS]
    sizes = project_sizes(tasks, projects, rng)
    made: list[Project] = []
    for (key, name), _size in zip(PROJECTS, sizes, strict=False):
        made.append(
            project_create(
                actor=owner,
                workspace=workspace,
                key=key,
                name=name,
                kind="ongoing" if key in ONGOING else "project",
                lead=rng.choice(people).email,
            )
        )

    # --- in bulk: the tasks and their labels ---
    today = timezone.localdate()
    now = timezone.now()
    # Uneven workloads: a few people carry much more than others; "me" gets an average share.
    load = [rng.uniform(0.3, 2.0) for _ in people]
    load[0] = sum(load) / len(load)
    through = Task.labels.through
    bar = Progress(tasks, "tasks   ")
    label_links = 0
    summary = []
    for index, (project, size) in enumerate(zip(made, sizes, strict=False)):
        statuses = list(Status.objects.filter(project=project).order_by("position"))
        by_name = {s.name: s for s in statuses}
        weights = ONGOING_STATUSES if project.kind == "ongoing" else PROJECT_STATUSES
        if index == 1:  # the board project: all of its cards open
            weights = [(n, w) for n, w in weights if by_name[n].category not in CLOSED_CATEGORIES]
        status_pairs = [(by_name[n], w) for n, w in weights]
        epics: list[int] = []
        last_rank: str | None = None
        number = 0
        open_count = 0
        remaining = size
        epic_count = max(1, round(size * EPIC_SHARE)) if size >= 50 else 0
        while remaining > 0:
            # The first batch of a project is its epics, so the others can point at them.
            n = epic_count if number == 0 and epic_count else min(BATCH, remaining)
            batch: list[Task] = []
            batch_labels: list[list[Label]] = []
            for _ in range(n):
                number += 1
                is_epic = number <= epic_count
                title, verb, obj = _title(rng)
                status = _weighted(rng, status_pairs)
                created = now - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
                due = None if rng.random() < 0.25 else today + datetime.timedelta(days=rng.randint(-60, 120))
                start = due - datetime.timedelta(days=rng.randint(0, 20)) if due and rng.random() < 0.5 else None
                assignee = None if rng.random() < 0.15 else rng.choices(people, weights=load)[0]
                last_rank = rank.between(last_rank, None)
                optimistic = rng.choice([None, None, 60, 120, 240, 480])
                task = Task(
                    workspace=workspace,
                    project=project,
                    number=number,
                    type="epic" if is_epic else _weighted(rng, TYPES),
                    title=title if not is_epic else f"Epic: {verb} {obj}",
                    description=_description(rng, verb, obj),
                    status=status,
                    priority=_weighted(rng, PRIORITIES),
                    assignee=assignee,
                    reporter=rng.choice(people),
                    parent_id=rng.choice(epics) if epics and not is_epic and rng.random() < CHILD_SHARE else None,
                    start_date=start,
                    due_date=due,
                    estimate_minutes=rng.choice([None, None, 30, 60, 120, 240, 480, 960, 2400]),
                    estimate_optimistic_minutes=optimistic,
                    estimate_likely_minutes=optimistic * 2 if optimistic else None,
                    estimate_pessimistic_minutes=optimistic * 4 if optimistic else None,
                    rank=last_rank,
                    created_at=created,
                    completed_at=min(now, created + datetime.timedelta(days=rng.randint(0, 30)))
                    if status.category == Category.DONE
                    else None,
                    progress=100 if status.category == Category.DONE else 0,
                )
                open_count += status.category not in CLOSED_CATEGORIES
                batch.append(task)
                batch_labels.append(rng.sample(labels, _weighted(rng, list(enumerate(LABEL_COUNT_WEIGHTS)))))
            with transaction.atomic():
                Task.objects.bulk_create(batch, batch_size=500)
                links = [
                    through(task_id=task.pk, label_id=label.pk)
                    for task, chosen in zip(batch, batch_labels, strict=True)
                    for label in chosen
                ]
                through.objects.bulk_create(links, batch_size=500)
            label_links += len(links)
            if number == epic_count:
                epics = [task.pk for task in batch]
            remaining -= n
            bar.advance(n)
        # The counter row: the next task made through the service is number size + 1.
        Project.objects.filter(pk=project.pk).update(task_counter=number)
        summary.append({"key": project.key, "tasks": size, "open": open_count, "kind": project.kind})

    # Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would
    # have after a while in production; both databases understand a bare ANALYZE. On PostgreSQL
    # the VACUUM also marks the freshly written pages all-visible, as autovacuum does within a
    # minute of a bulk insert: index-only scans (the filtered lists' counts) depend on it.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "postgresql":
            # And the seed's dirty pages written out now, as a server that has run a while has
            # long done: otherwise the next timed checkpoint writes some 100 MB of them while
            # the lists are being timed, and that I/O lands in their p99.
            cursor.execute("CHECKPOINT")
    return {
        "workspace": workspace.slug,
        "email": BENCH_EMAIL,
        "password": BENCH_PASSWORD,
        "token": raw_token,
        "members": len(people),
        "tasks": Task.objects.filter(workspace=workspace).count(),
        "label_links": label_links,
        "projects": summary,
        "largest": summary[0]["key"],
        "board": summary[1]["key"],
        "seconds": round(time.perf_counter() - began, 1),
        "database": connection.vendor,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_work", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="Tasks in all (default 100000).")
    parser.add_argument("--projects", type=int, default=50, help=f"Projects (default 50, at most {len(PROJECTS)}).")
    parser.add_argument("--members", type=int, default=50, help="Workspace members, the bench user included.")
    parser.add_argument("--seed", type=int, default=7, help="Random seed (the same seed makes the same data).")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labora.settings")
    import django

    django.setup()
    result = seed(tasks=args.tasks, projects=args.projects, members=args.members, rng_seed=args.seed)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
