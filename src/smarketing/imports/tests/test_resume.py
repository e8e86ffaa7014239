"""Kill the real `smarketing import` process in the middle, re-run: the final state
equals a clean import of the same file."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from smarketing.imports.models import ExternalId, ImportRun
from smarketing.imports.services import import_file
from smarketing.imports.tests.files import bank_rows, hubspot_contacts
from smarketing.people.models import Company, Contact, StageChange

ROWS = 4000


def _snapshot() -> tuple[list, list]:
    contacts = list(Contact.objects.order_by("email").values_list(
        "email", "first_name", "lifecycle_stage", "became_lead_at", "became_mql_at",
        "became_sql_at"))
    changes = list(StageChange.objects.order_by("contact__email", "at", "to_stage")
                   .values_list("contact__email", "from_stage", "to_stage", "at"))
    return contacts, changes


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _clear() -> None:
    StageChange.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    ExternalId.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_resumes_without_duplicates_to_the_clean_result(tmp_path, users):
    path = hubspot_contacts(tmp_path / "contacts.csv", bank_rows(ROWS))
    import_file(actor=users["admin"], path=path)
    clean = _snapshot()
    _clear()
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = subprocess.Popen(
        [sys.executable, "-m", "smarketing.cli", "import", "contacts", str(path),
         "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not ImportRun.objects.filter(rows_done__gte=1000, status="running").exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    run = ImportRun.objects.filter(status="running").get()
    assert 0 < Contact.objects.count() < ROWS
    assert Contact.objects.count() == run.rows_done
    result = import_file(actor=users["admin"], path=path)
    assert result.run.pk == run.pk and result.run.status == "finished"
    assert result.run.created == ROWS
    assert _snapshot() == clean
