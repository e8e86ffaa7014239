"""The default managed list of rejection reasons (issue 5's list).

Migration 0002 seeds it; `ensure_default_reasons` restores missing rows (tests
that flush the database, or an admin who deleted one by mistake)."""

from __future__ import annotations

from smarketing.handoff.models import RejectionReason

DEFAULT_REASONS = [
    ("not_a_fit", "Not a fit", False),
    ("no_budget", "No budget", False),
    ("no_authority", "No authority", False),
    ("no_need_bad_timing", "No need / bad timing", False),
    ("bad_data", "Bad or fake data", False),
    ("duplicate", "Duplicate", False),
    ("competitor", "Competitor", False),
    ("student_job_seeker", "Student or job seeker", False),
    ("existing_customer", "Existing customer", False),
    ("other", "Other", True),
]


def ensure_default_reasons() -> None:
    RejectionReason.objects.bulk_create(
        [
            RejectionReason(code=code, label=label, position=position, needs_note=needs_note)
            for position, (code, label, needs_note) in enumerate(DEFAULT_REASONS, start=1)
        ],
        ignore_conflicts=True,
    )
