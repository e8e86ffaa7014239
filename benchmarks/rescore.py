"""Full rescore against the one SQL aggregate that computes the same per-contact sums,
and the cost of the incremental update per ingested event.

Run (from the repository root):

    .venv/bin/python benchmarks/rescore.py                    # 1M contacts, 10M events
    .venv/bin/python benchmarks/rescore.py --contacts 100000 --events 1000000 --data-dir /tmp/b
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/rescore.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and, unless exactly that many
   are there, generates `--contacts` contacts (a third with a company, a seeded mix of
   titles and emails) and `--events` events over the last 180 days (page views, a
   share on /pricing and /careers, forms, downloads, webinars, email clicks,
   unsubscribes, bounces), with bulk inserts;
2. the limit: ONE SQL aggregate, grouped by contact, that sums the points of every
   engagement rule of the default model over all events (no caps, no decay: the
   least work any exact rescore must do), timed;
3. `rescore_all` (what `smarketing rescore` runs) with the default model, timed, and
   the ratio to the limit; the target is <= 2x and <= 60 s;
4. the incremental update: `score_contacts` for one contact after an event, averaged
   over 200 contacts, i.e. the scoring cost added to an ingested request.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.harness import database_label, setup_django  # noqa: E402

KINDS = [  # (type, name, page_path, weight)
    ("page", "", "/blog", 60), ("page", "", "/pricing", 8), ("page", "", "/careers", 2),
    ("track", "Form Submitted", "", 4), ("track", "Asset Downloaded", "", 6),
    ("track", "Webinar Attended", "", 2), ("track", "Email Link Clicked", "", 15),
    ("track", "Unsubscribed", "", 1), ("track", "Email Bounced", "", 1),
    ("track", "Email Opened", "", 1),
]
TITLES = ["VP Marketing", "Director of Sales", "Engineer", "Analyst", "Head of Ops", ""]


def generate(contacts: int, events: int, seed: int) -> None:
    from smarketing.people.models import Company, Contact
    from smarketing.tracking.models import Event, Source

    rng = random.Random(seed)
    Event.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    companies = Company.objects.bulk_create(
        Company(name=f"Co {i}", domain=f"co{i}.example", employee_count=rng.choice(
            [10, 150, 800, 3000, 12000]), country=rng.choice(["US", "DE", "BR", "IN"]))
        for i in range(max(1, contacts // 20)))
    for start in range(0, contacts, 20_000):
        Contact.objects.bulk_create(
            Contact(email=f"p{i}@{rng.choice(['gmail.com', 'corp.example'])}",
                    title=rng.choice(TITLES),
                    company=rng.choice(companies) if i % 3 == 0 else None)
            for i in range(start, min(contacts, start + 20_000)))
    source = Source.objects.create(name="bench", kind="server", key_prefix="b", key_hash="b" * 64)
    _events(source, events, rng)


def _events(source: object, events: int, rng: random.Random) -> None:
    from smarketing.people.models import Contact
    from smarketing.tracking.models import Event

    ids = list(Contact.objects.values_list("id", flat=True))
    now = dt.datetime.now(dt.UTC)
    weights = [k[3] for k in KINDS]
    for start in range(0, events, 20_000):
        batch = []
        for n in range(start, min(events, start + 20_000)):
            kind, name, path, _ = rng.choices(KINDS, weights)[0]
            at = now - dt.timedelta(seconds=rng.randrange(180 * 86400))
            batch.append(Event(source=source, message_id=f"m{n}", type=kind, name=name,
                               contact_id=rng.choice(ids), anonymous_id=f"a{n}", timestamp=at,
                               received_at=at, page_path=path))
        Event.objects.bulk_create(batch)
        if start % 1_000_000 == 0 and start:
            print(f"  {start:,} events")


def limit_query() -> float:
    """One aggregate over all events: per contact, the sum of the rules' points."""
    from django.db.models import Case, IntegerField, Sum, Value, When

    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.rules import engagement_rule_q
    from smarketing.scoring.services import active_model
    from smarketing.tracking.models import Event

    spec = ModelSpec.of(active_model())
    points = sum((Case(When(engagement_rule_q(r), then=Value(r.points)), default=Value(0),
                       output_field=IntegerField()) for r in spec.engagement_rules), Value(0))
    started, cpu = time.monotonic(), time.process_time()
    rows = Event.objects.exclude(contact=None).values("contact_id").annotate(s=Sum(points))
    count = sum(1 for _ in rows.order_by().iterator(chunk_size=20_000))
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"Limit: one GROUP BY contact aggregate of all rules' points: {elapsed:.1f} s "
          f"(CPU {cpu:.1f} s; {count:,} contacts)")
    return elapsed, cpu


def timed_rescore(label: str, batch: int) -> tuple[float, float]:
    """rescore_all, wall and CPU seconds (CPU: this process, which on SQLite includes
    the database engine; on PostgreSQL the server's work is not in it)."""
    from smarketing.scoring.scoring import rescore_all

    cpu = time.process_time()
    result = rescore_all(batch=batch)
    cpu = time.process_time() - cpu
    print(f"{label}: {result.seconds:.1f} s (CPU {cpu:.1f} s), {result.contacts:,} contacts, "
          f"{result.changed:,} changed, {result.mqls:,} new MQLs")
    return result.seconds, cpu


def change_rules() -> None:
    """A rule change: +1 point on the pricing-page rule and the threshold up by 5."""
    from django.contrib.auth import get_user_model

    from smarketing.scoring.services import active_model, model_change, rule_dicts

    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    model = active_model()
    _, engagement = rule_dicts(model)
    for rule in engagement:
        if rule.get("property_filters", {}).get("page_path", "").startswith("/pricing"):
            rule["points"] += 1
    new = model_change(actor=admin, settings={"threshold": model.threshold + 5},
                       engagement_rules=engagement, note="benchmark: a rule change")
    print(f"Rule change: {model} -> {new} ({new.change_note})")


def incremental(samples: int = 200) -> None:
    from smarketing.people.models import Contact
    from smarketing.scoring.scoring import score_contacts

    ids = list(Contact.objects.order_by("?").values_list("id", flat=True)[:samples])
    started = time.monotonic()
    for contact_id in ids:
        score_contacts(contact_ids=[contact_id])
    per = (time.monotonic() - started) / max(1, len(ids)) * 1000
    print(f"Incremental: score_contacts for one contact: {per:.1f} ms on average "
          f"({len(ids)} contacts), the cost added to an ingest request that touches it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-rescore"))
    parser.add_argument("--batch", type=int, default=20_000, help="Contacts per id range.")
    parser.add_argument("--existing", action="store_true",
                        help="Use the data set in --data-dir as it is (e.g. a `smarketing "
                             "generate` database), whatever its size.")
    parser.add_argument("--change-rules", action="store_true",
                        help="First make a new model version (a rule change), as marketing "
                             "would: every contact's score changes.")
    args = parser.parse_args()
    setup_django(args.data_dir)
    from django.core.management import call_command

    from smarketing.people.models import Contact
    from smarketing.tracking.models import Event

    call_command("migrate", interactive=False, verbosity=0)
    print(f"Database: {database_label()}")
    if args.existing:
        print(f"Existing data: {Contact.objects.count():,} contacts, "
              f"{Event.objects.count():,} events")
    elif Contact.objects.count() != args.contacts or Event.objects.count() != args.events:
        started = time.monotonic()
        generate(args.contacts, args.events, args.seed)
        print(f"Generated {args.contacts:,} contacts and {args.events:,} events in "
              f"{time.monotonic() - started:.0f} s")
    limit, limit_cpu = limit_query()
    if args.change_rules:
        change_rules()
    first, first_cpu = timed_rescore("Full rescore (rescore_all, active model)", args.batch)
    again, again_cpu = timed_rescore("Again (idempotent, nothing to write)", args.batch)
    print(f"Ratio rescore / limit, wall: {first / limit:.1f}x first, {again / limit:.1f}x again; "
          f"CPU: {first_cpu / limit_cpu:.1f}x first, {again_cpu / limit_cpu:.1f}x again "
          f"(target <= 2x); <= 60 s: {'yes' if first <= 60 else 'no'}")
    incremental()


if __name__ == "__main__":
    main()
