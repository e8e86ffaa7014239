"""Seed the managed list of rejection reasons (issue 5's list)."""

from django.db import migrations

REASONS = [
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


def seed(apps, schema_editor):
    reason = apps.get_model("handoff", "RejectionReason")
    for position, (code, label, needs_note) in enumerate(REASONS, start=1):
        reason.objects.get_or_create(
            code=code, defaults={"label": label, "position": position, "needs_note": needs_note}
        )


def unseed(apps, schema_editor):
    apps.get_model("handoff", "RejectionReason").objects.filter(
        code__in=[code for code, _, _ in REASONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("handoff", "0001_handoff_models")]
    operations = [migrations.RunPython(seed, unseed)]
