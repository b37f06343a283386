"""`labora demo`: a small, realistic workspace to try Labora with, built through the services."""

from __future__ import annotations

import datetime
import random
import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from labora.accounts.models import User
from labora.accounts.services import user_create, user_set_password_unchecked
from labora.collaboration.demo import add_comments
from labora.core.errors import LaboraError
from labora.planning.demo import add_planning
from labora.work import selectors
from labora.work.models import Project
from labora.work.services import (
    DEFAULT_WORKFLOWS,
    StatusSpec,
    project_create,
    task_create,
    task_update,
    workflow_replace,
)
from labora.work.services import checklist as checklist_services
from labora.work.services import fields as field_services
from labora.work.services.watchers import task_watch
from labora.workspaces.models import Role, Team, Workspace
from labora.workspaces.selectors import members_list, workspace_for_user
from labora.workspaces.services import member_invite, team_create, team_member_add, workspace_create

DEMO_EMAIL = "demo@labora.local"
DEMO_PASSWORD = "labora-demo"  # noqa: S105  (public on purpose: printed for anyone trying the demo)
DEMO_SLUG = "acme"
DEMO_NAME = "Acme Studio"

# (e-mail, name, role)
PEOPLE = [
    ("maya.chen@labora.local", "Maya Chen", Role.ADMIN),
    ("jonas.weber@labora.local", "Jonas Weber", Role.MEMBER),
    ("priya.raman@labora.local", "Priya Raman", Role.MEMBER),
    ("tomas.ortega@labora.local", "Tomás Ortega", Role.MEMBER),
    ("grace.okafor@labora.local", "Grace Okafor", Role.GUEST),
    ("liam.oconnor@labora.local", "Liam O'Connor", Role.CLIENT),
]
TEAMS = [
    ("Design", "Brand, product and web design.", ["maya.chen", "priya.raman", "tomas.ortega"]),
    ("Engineering", "Builds and runs the client platforms.", ["demo", "jonas.weber", "tomas.ortega"]),
]
INVITED = ("noah.kim@labora.local", Role.MEMBER)


class Command(BaseCommand):
    help = f'Load the demo workspace "{DEMO_NAME}" (sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}).'

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load it into an instance without any user (for `make run`)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        present = f"Demo data already present; sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
        if User.objects.filter(email__iexact=DEMO_EMAIL).exists():
            self.stdout.write(present)
            return
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Existing data found; no demo loaded")
            return
        self.stdout.write(
            f'Loading the demo workspace "{DEMO_NAME}" (a few seconds: passwords are hashed with Argon2)...'
        )
        try:
            # One transaction: all or nothing. The events it records are dispatched when it
            # commits (activity log, the invitation e-mail task).
            with transaction.atomic():
                people = self._load()
        except LaboraError as exc:
            raise CommandError(f"Could not load the demo: {exc.message}") from exc
        self.stdout.write(f'Loaded the demo workspace "{DEMO_NAME}" at /w/{DEMO_SLUG}/.')
        self.stdout.write(f"Sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}")
        self.stdout.write(f"(the other demo people, e.g. {people[0]}, use the same password)")

    def _person(self, email: str, name: str, **extra: Any) -> User:
        # Services validate password strength; the demo's shared password is deliberately
        # simple, so it is set afterwards through the operator-only service.
        user = user_create(email=email, password=secrets.token_urlsafe(24), name=name, **extra)
        user_set_password_unchecked(user=user, new_password=DEMO_PASSWORD, reason="demo data")
        return user

    def _load(self) -> list[str]:
        owner = self._person(DEMO_EMAIL, "Sam Rivera")
        workspace = workspace_create(actor=owner, name=DEMO_NAME, slug=DEMO_SLUG)
        _ws, membership = workspace_for_user(user=owner, slug=workspace.slug)
        users = {"demo": owner}
        for email, name, role in PEOPLE:
            users[email.split("@")[0]] = self._person(email, name)
            member_invite(actor=owner, workspace=workspace, membership=membership, email=email, role=role)
        members = {m.user_id: m for m in members_list(workspace=workspace)}
        for team_name, description, handles in TEAMS:
            team: Team = team_create(
                actor=owner, workspace=workspace, membership=membership, name=team_name, description=description
            )
            for handle in handles:
                team_member_add(
                    actor=owner,
                    workspace=workspace,
                    membership=membership,
                    team=team,
                    user_member=members[users[handle].pk],
                )
        member_invite(actor=owner, workspace=workspace, membership=membership, email=INVITED[0], role=INVITED[1])
        _load_work(owner=owner, workspace=workspace, users=users)
        _load_more_work(owner=owner, workspace=workspace, users=users)
        _load_task_fields(owner=owner, workspace=workspace, users=users)
        add_planning(owner=owner, workspace=workspace, users=users, today=datetime.date.today())
        add_comments(owner=owner, workspace=workspace, users=users)
        return [email for email, _name, _role in PEOPLE]


# --- projects and tasks ----------------------------------------------------------------------

# (key, name, kind, lead, start offset, target offset in days from today or None, tasks)
PROJECTS = [
    ("WEB", "Website relaunch", "project", "maya.chen", -45, 40, 60),
    ("APP", "Mobile app", "project", "jonas.weber", -20, 75, 45),
    ("MKT", "Q1 campaign", "project", "priya.raman", 5, 95, 30),
    ("ITS", "IT support", "ongoing", "tomas.ortega", None, None, 40),
    ("OPS", "Marketing ops", "ongoing", "demo", None, None, 25),
]
WIP_LIMITS = {("WEB", "In progress"): 6, ("WEB", "In review"): 3, ("APP", "In progress"): 5}
# Each project's colour and icon (docs/decisions/0006-project-access.md).
LOOKS = {
    "WEB": ("#2563eb", "projects"),
    "APP": ("#9333ea", "sparkles"),
    "MKT": ("#db2777", "mail"),
    "ITS": ("#059669", "shield"),
    "OPS": ("#ea580c", "inbox"),
}
LABELS = ["bug", "design", "backend", "frontend", "urgent-customer", "content", "infra", "research"]
VERBS = ["Design", "Build", "Review", "Fix", "Write", "Test", "Plan", "Update", "Migrate", "Polish", "Draft", "Ship"]
THINGS = {
    "WEB": [
        "home page hero",
        "pricing page",
        "blog templates",
        "navigation menu",
        "contact form",
        "footer links",
        "cookie banner",
        "search results page",
        "case studies",
        "analytics tags",
        "sitemap",
        "404 page",
    ],
    "APP": [
        "sign-in screen",
        "push notifications",
        "offline sync",
        "settings screen",
        "onboarding flow",
        "crash reporting",
        "dark mode",
        "App Store listing",
        "deep links",
        "profile photo upload",
    ],
    "MKT": [
        "launch e-mail",
        "landing page copy",
        "LinkedIn ads",
        "webinar slides",
        "press release",
        "customer quotes",
        "ad budget sheet",
        "partner newsletter",
    ],
    "ITS": [
        "laptop for new hire",
        "VPN access",
        "printer on 2nd floor",
        "password reset",
        "Wi-Fi in meeting room",
        "shared drive permissions",
        "monitor replacement",
        "software licence renewal",
        "e-mail signature",
    ],
    "OPS": [
        "monthly report",
        "CRM clean-up",
        "brand asset library",
        "event calendar",
        "social media schedule",
        "vendor invoices",
        "campaign UTM conventions",
    ],
}
# Relative weights of statuses by board position, so most work sits in the middle columns.
PROJECT_STATUS_WEIGHTS = [
    ("Backlog", 3),
    ("To do", 4),
    ("In progress", 3),
    ("In review", 2),
    ("Done", 5),
    ("Cancelled", 1),
]
ONGOING_STATUS_WEIGHTS = [("New", 4), ("In progress", 3), ("Waiting", 2), ("Done", 6), ("Cancelled", 1)]
PRIORITY_WEIGHTS = [("none", 3), ("low", 3), ("medium", 4), ("high", 2), ("urgent", 1)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _load_work(*, owner: User, workspace: Workspace, users: dict[str, User]) -> None:
    """Five projects/streams with ~200 tasks spread over people, statuses, priorities, labels and dates."""
    rng = random.Random(2026)  # noqa: S311  (not security: the same demo every time)
    today = datetime.date.today()
    workers = [
        u
        for handle, u in users.items()
        if handle in ("demo", "maya.chen", "jonas.weber", "priya.raman", "tomas.ortega")
    ]
    for key, name, kind, lead, start, target, count in PROJECTS:
        project: Project = project_create(
            actor=owner,
            workspace=workspace,
            key=key,
            name=name,
            kind=kind,
            lead=users[lead].email,
            start_date=today + datetime.timedelta(days=start) if start is not None else None,
            target_date=today + datetime.timedelta(days=target) if target is not None else None,
            description=f"{name}: the demo's {'project' if kind == 'project' else 'ongoing work stream'}.",
            colour=LOOKS[key][0],
            icon=LOOKS[key][1],
        )
        weights = PROJECT_STATUS_WEIGHTS if kind == "project" else ONGOING_STATUS_WEIGHTS
        limits = {status: limit for (k, status), limit in WIP_LIMITS.items() if k == key}
        if limits:
            categories = dict(DEFAULT_WORKFLOWS[kind])
            workflow_replace(
                actor=owner,
                project=project,
                statuses=[StatusSpec(s, categories[s], limits.get(s)) for s, _ in weights],
                transitions=[],
            )
        used: dict[str, int] = {}
        first = None
        for i in range(count):
            status = _pick(rng, weights)
            if status in limits and used.get(status, 0) >= limits[status]:
                status = weights[1][0]
            used[status] = used.get(status, 0) + 1
            thing = THINGS[key][i % len(THINGS[key])]
            verb = rng.choice(VERBS) if i >= len(THINGS[key]) else VERBS[i % len(VERBS)]
            # A stream's tasks are requests that come back ("VPN access", "Monthly report"), not
            # project steps: they keep the thing as the title. The verb is drawn all the same, so
            # every later random choice (and so each demo task's fields) stays what it was.
            title = f"{verb} {thing}" if kind == "project" else thing[0].upper() + thing[1:]
            due = today + datetime.timedelta(days=rng.randint(-12, 30)) if rng.random() < 0.7 else None
            task = task_create(
                actor=rng.choice(workers),
                project=project,
                title=title,
                type="bug" if rng.random() < 0.12 else "task",
                status=status,
                priority=_pick(rng, PRIORITY_WEIGHTS),
                assignee=rng.choice(workers).email if rng.random() < 0.85 else None,
                start_date=due - datetime.timedelta(days=rng.randint(1, 10)) if due and rng.random() < 0.5 else None,
                due_date=due,
                estimate_hours=rng.choice([None, 1, 2, 4, 8, 16]),
                labels=rng.sample(LABELS, k=rng.choice([0, 1, 1, 2, 3])),
                parent=first.key if first is not None and i in (3, 4) else None,
            )
            if first is None:
                first = task
            if i % 9 == 0:  # a little history in the activity log
                task_update(actor=owner, task=task, description=f"Notes for {task.key}: see the brief in the drive.")


# A second wave of tasks with titles written out in full, so the demo holds a few hundred tasks
# (what a team's list, board and My work look like after some months) without repeating the
# first wave's titles. Its own random generator: the first wave, which tests and the task
# fields below refer to by key (WEB-1 to WEB-24, APP-2, ...), stays exactly as it was.
MORE_WORK = {
    "WEB": [
        "Agree the tone of voice for product pages",
        "Compress hero images below 200 KB",
        "Redirect old /products URLs to the new pages",
        "Accessibility pass: colour contrast on buttons",
        "Accessibility pass: keyboard order in the menu",
        "Add structured data for articles",
        "Cache headers for static assets",
        "Set up preview deployments for content editors",
        "Write alt text for the team photos",
        "Lighthouse score above 90 on mobile",
        "Newsletter sign-up in the footer",
        "Translate the pricing page into German",
        "Translate the pricing page into French",
        "Legal: update the imprint",
        "Legal: privacy notice for the contact form",
        "Broken links after the CMS import",
        "Safari: sticky header jumps on scroll",
        "Form spam: add a honeypot field",
        "Content freeze and launch checklist",
        "Train the marketing team on the CMS",
        "Font loading flashes unstyled text",
        "Open Graph images for social sharing",
        "Customer logos strip on the home page",
        "Uptime monitor for the new site",
        "Post-launch review with stakeholders",
        "Remove the old tracking scripts",
        "Image gallery on case study pages",
        "Favicon and app icons in every size",
        "Search: index blog posts",
        "Release notes page",
    ],
    "APP": [
        "Biometric unlock on iOS",
        "Biometric unlock on Android",
        "Crash on launch with an empty cache",
        "Pull to refresh on the task list",
        "Empty states for new accounts",
        "Rate-the-app prompt after the third week",
        "Background refresh of notifications",
        "Localise date formats",
        "Tablet layout for the board",
        "In-app feedback form",
        "Beta group on TestFlight",
        "Android 15 edge-to-edge screens",
        "Reduce the app size below 40 MB",
        "Login fails when the clock is wrong",
        "Attach photos from the camera to tasks",
        "Analytics events for onboarding steps",
        "Accessibility labels for icon buttons",
        "Release checklist for store submissions",
        "Retry failed uploads on reconnect",
        "Privacy labels for the App Store",
        "Battery drain with location services on",
        "Snooze reminders from the notification",
        "Widget for today's tasks",
        "Handle expired sessions gracefully",
        "Play Store pre-launch report fixes",
    ],
    "MKT": [
        "Brief the design agency",
        "Book the webinar platform",
        "Shortlist three customer stories",
        "Interview Northwind for a case study",
        "Keyword research for the launch blog post",
        "Draft the launch blog post",
        "Approve ad creatives",
        "Retargeting audience from site visitors",
        "Partner co-marketing plan",
        "Sales one-pager",
        "Demo video script",
        "Record the demo video",
        "Schedule launch-week social posts",
        "Set the campaign KPIs",
        "Launch-day war room",
        "Follow-up e-mail for webinar attendees",
        "Weekly campaign report",
        "Award submission for the product",
        "Translate ads for the DACH market",
        "Post-campaign retrospective",
    ],
    "ITS": [
        "New starter: Ana, laptop and accounts",
        "Leaver: revoke access for Ben",
        "Projector in room 3 does not connect",
        "Renew the SSL certificate for the intranet",
        "Phishing e-mail reported by finance",
        "Quarterly access review",
        "Backup restore test",
        "Update the asset register",
        "Keyboard replacement for reception",
        "MFA for the accounting system",
        "Slow Wi-Fi on the 3rd floor",
        "Install design software for the new designer",
        "Shared calendar not syncing on phones",
        "Printer toner order",
        "Patch Tuesday: roll out updates",
        "Laptop battery swelling, replace",
        "Guest Wi-Fi password rotation",
        "Move the file server to the cloud",
        "Mailbox full for the sales inbox",
        "Video calls drop in the small meeting room",
        "Set up the new conference phone",
        "Encrypt the remaining laptops",
        "Domain renewal reminder",
        "Licence count check before renewal",
        "Document the onboarding checklist",
    ],
    "OPS": [
        "Weekly newsletter: pick the stories",
        "Update the media kit",
        "Clean up duplicate contacts in the CRM",
        "Renew the stock photo subscription",
        "Quarterly budget reconciliation",
        "Refresh the e-mail footer banners",
        "Archive old campaign assets",
        "Agency invoice approval",
        "Update the brand guidelines PDF",
        "Social media report for the board",
        "Trade fair booth booking",
        "Order swag for the trade fair",
        "Webinar recordings to the resource library",
        "Monthly SEO check",
        "Review the marketing tool stack costs",
    ],
}


BUG_WORDS = ("crash", "fails", "broken", "jumps", "drop", "flashes", "not sync", "does not")


def _load_more_work(*, owner: User, workspace: Workspace, users: dict[str, User]) -> None:
    """MORE_WORK's tasks, appended to the projects _load_work made (keys continue after theirs).
    They avoid statuses with a WIP limit, which the first wave already fills."""
    rng = random.Random(2027)  # noqa: S311  (not security: the same demo every time)
    today = datetime.date.today()
    workers = [users[h] for h in ("demo", "maya.chen", "jonas.weber", "priya.raman", "tomas.ortega")]
    for key, _name, kind, _lead, _start, _target, _count in PROJECTS:
        project = selectors.project_get(user=owner, workspace=workspace, key=key)
        limited = {status for (k, status), _limit in WIP_LIMITS.items() if k == key}
        weights = [
            (status, weight)
            for status, weight in (PROJECT_STATUS_WEIGHTS if kind == "project" else ONGOING_STATUS_WEIGHTS)
            if status not in limited
        ]
        for title in MORE_WORK[key]:
            due = today + datetime.timedelta(days=rng.randint(-20, 45)) if rng.random() < 0.75 else None
            task_create(
                actor=rng.choice(workers),
                project=project,
                title=title,
                type="bug" if any(w in title.lower() for w in BUG_WORDS) else "task",
                status=_pick(rng, weights),
                priority=_pick(rng, PRIORITY_WEIGHTS),
                assignee=rng.choice(workers).email if rng.random() < 0.85 else None,
                start_date=due - datetime.timedelta(days=rng.randint(1, 10)) if due and rng.random() < 0.5 else None,
                due_date=due,
                estimate_hours=rng.choice([None, 1, 2, 4, 8, 16]),
                labels=rng.sample(LABELS, k=rng.choice([0, 1, 1, 2])),
            )


CHECKLISTS = {
    "WEB-1": [("Collect the brand assets", True), ("Agree the page list", True), ("Sign off the wireframes", False),
              ("Book the launch review", False)],
    "WEB-2": [("Draft", True), ("Legal review", False), ("Publish", False)],
    "ITS-1": [("Reproduce on a clean profile", True), ("Check the VPN logs", False)],
    "APP-1": [("iOS build", True), ("Android build", True), ("Store screenshots", False)],
}  # fmt: skip
THREE_POINTS = {"WEB-3": (2, 4, 12), "WEB-6": (1, 2, 3), "APP-2": (4, 8, 20), "APP-3": (8, 16, 40), "MKT-1": (3, 5, 10)}


def _load_task_fields(*, owner: User, workspace: Workspace, users: dict[str, User]) -> None:
    """Custom fields and a custom type on WEB, a demanding review status, checklists, watchers,
    collaborators and three-point estimates across the projects."""
    rng = random.Random(7)  # noqa: S311  (not security: the same demo every time)
    web = selectors.project_get(user=owner, workspace=workspace, key="WEB")
    web = field_services.project_types_replace(actor=owner, project=web, types=["story", "spike"])
    for name, type, options in [
        ("Severity", "select", ["Low", "Medium", "High"]),
        ("Customer", "text", []),
        ("Story points", "number", []),
        ("Reviewer", "user", []),
        ("Platforms", "multiselect", ["Web", "iOS", "Android"]),
        ("Signed off", "checkbox", []),
        ("Spec", "url", []),
    ]:
        field_services.custom_field_create(actor=owner, project=web, name=name, type=type, options=options)
    # "In review" has its own colour and needs an assignee and a reviewer.
    statuses, _ = selectors.workflow_get(project=web)
    workflow_replace(
        actor=owner,
        project=web,
        statuses=[
            StatusSpec(
                s.name,
                s.category,
                s.wip_limit,
                s.pk,
                "#d97706" if s.name == "In review" else "",
                ("assignee", "cf:Reviewer") if s.name == "In review" else (),
            )
            for s in statuses
        ],
        transitions=[],
    )
    people = [users[h] for h in ("demo", "maya.chen", "jonas.weber", "priya.raman", "tomas.ortega")]
    tasks = list(selectors.task_list(user=owner, workspace=workspace, project=web, order="key")[:24])
    for i, task in enumerate(tasks):
        values: dict[str, Any] = {
            "Severity": rng.choice(["Low", "Medium", "High"]),
            "Story points": rng.choice([1, 2, 3, 5, 8]),
        }
        if i % 3 == 0:
            values["Customer"] = rng.choice(["Northwind", "Globex", "Initech"])
            values["Platforms"] = rng.sample(["Web", "iOS", "Android"], k=rng.randint(1, 3))
        if i % 4 == 0:
            values["Reviewer"] = rng.choice(people).email
            values["Spec"] = f"https://docs.example.com/web/{task.number}"
            values["Signed off"] = rng.random() < 0.5
        task_update(
            actor=owner,
            task=task,
            type="story" if i % 5 == 1 else task.type,
            custom_fields=values,
            collaborators=[p.email for p in rng.sample(people, k=rng.randint(0, 2))],
        )
    for key, items in CHECKLISTS.items():
        task = selectors.task_get(user=owner, workspace=workspace, key=key)
        for text, done in items:
            item = checklist_services.checklist_item_add(actor=owner, task=task, text=text)
            if done:
                checklist_services.checklist_item_update(actor=owner, item=item, done=True)
    for key, (optimistic, likely, pessimistic) in THREE_POINTS.items():
        task = selectors.task_get(user=owner, workspace=workspace, key=key)
        task_update(
            actor=owner,
            task=task,
            estimate_optimistic_hours=optimistic,
            estimate_likely_hours=likely,
            estimate_pessimistic_hours=pessimistic,
        )
    for key in ("WEB-1", "WEB-2", "APP-1", "ITS-1"):
        task = selectors.task_get(user=owner, workspace=workspace, key=key)
        task_watch(actor=users["maya.chen"], task=task)
