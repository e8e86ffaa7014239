import subprocess
import sys

import pytest

from smarketing.imports.models import ImportIssue
from smarketing.imports.selectors import failed_rows
from smarketing.imports.services import import_file, parse_mapping
from smarketing.imports.tests.files import bank_rows, hubspot_contacts, write
from smarketing.people.models import Contact, StageChange

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", ","),
])
def test_every_encoding_and_delimiter_reads_the_same_contacts(tmp_path, users, encoding,
                                                               delimiter):
    path = write(tmp_path / "c.csv", ["Email", "First Name", "Last Name"],
                 [["zoe@bank.example", "Zoë", "Müller"], ["ana@bank.example", "Ana", "Peña"]],
                 encoding=encoding, delimiter=delimiter)
    result = import_file(actor=users["admin"], path=path, kind="contacts")
    assert result.run.created == 2
    assert Contact.objects.get(email="zoe@bank.example").first_name == "Zoë"
    assert bool(result.run.encoding_note) == (encoding == "cp1252")


def test_quoted_newlines_crlf_and_trailing_commas_keep_line_numbers(tmp_path, users):
    path = tmp_path / "c.csv"
    path.write_bytes(b'email,first_name,title,\r\na@x.example,Ann,"two\r\nlines",\r\n'
                     b'not-an-email,Bob,CEO,\r\n')
    result = import_file(actor=users["admin"], path=path, kind="contacts")
    assert (result.run.created, result.run.errors) == (1, 1)
    issue = ImportIssue.objects.get()
    assert (issue.line, issue.column) == (4, "email")
    assert Contact.objects.get().title == "two\r\nlines"


def test_an_xlsx_workbook_imports_like_a_csv(tmp_path, users):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Email", "First Name", "Create Date"])
    sheet.append(["x@bank.example", "Xia", __import__("datetime").datetime(2024, 3, 15, 14, 30)])
    book.save(tmp_path / "c.xlsx")
    result = import_file(actor=users["admin"], path=tmp_path / "c.xlsx", kind="contacts")
    assert result.run.created == 1
    assert Contact.objects.get().became_lead_at.date().isoformat() == "2024-03-15"


def test_malformed_rows_are_reported_exactly_and_the_good_ones_imported(tmp_path, users):
    header = ["Email", "First Name", "Lifecycle Stage", "Create Date"]
    path = write(tmp_path / "c.csv", header, [
        ["a@bank.example", "Ann", "lead", "3/15/2024 2:30 PM"],
        ["b@bank.example", "Bob", "lead", "31/31/2024"],
        ["c@bank.example", "Cy", "Prospectish", "15/03/2024"],
        ["", "", "lead", "2024-03-15"],
        ["a@bank.example", "Ann again", "mql", "2024-03-16"],
    ])
    result = import_file(actor=users["admin"], path=path, kind="contacts")
    assert (result.run.created, result.run.errors) == (1, 4)
    assert [(i.line, i.column) for i in ImportIssue.objects.all()] == [
        (3, "Create Date"), (4, "Lifecycle Stage"), (5, ""), (6, "Email")]
    assert "duplicates line 2" in ImportIssue.objects.get(line=6).reason
    rows = list(failed_rows(result.run))
    assert rows[0] == [*header, "error"]
    assert rows[1][:2] == ["b@bank.example", "Bob"] and rows[1][-1].startswith("line 3")
    assert Contact.objects.get().first_name == "Ann"


def test_a_dry_run_reports_each_row_and_writes_nothing(tmp_path, users):
    Contact.objects.create(email="client1@bank.example")
    path = hubspot_contacts(tmp_path / "c.csv", bank_rows(6))
    result = import_file(actor=users["admin"], path=path, dry_run=True, on_duplicate="skip")
    assert [o.result for o in result.outcomes] == ["skipped"] + ["created"] * 5
    assert Contact.objects.count() == 1 and not StageChange.objects.exists()


def test_a_mapping_file_maps_columns_values_dates_and_defaults(tmp_path, users):
    mapping = parse_mapping("""
columns:
  E-mail: email
  Stage: lifecycle_stage
  Signed up: {field: became_lead_at, date_format: "%d.%m.%Y"}
values:
  lifecycle_stage: {Warm: mql}
defaults:
  original_source: offline
""")
    path = write(tmp_path / "c.csv", ["E-mail", "Stage", "Signed up"],
                 [["w@bank.example", "Warm", "01.02.2024"]])
    import_file(actor=users["admin"], path=path, kind="contacts", mapping=mapping)
    contact = Contact.objects.get()
    assert (contact.lifecycle_stage, contact.original_source) == ("mql", "offline")
    assert contact.became_lead_at.date().isoformat() == "2024-02-01"


def test_the_cli_imports_with_a_progress_bar_and_writes_the_failed_rows(tmp_path, users):
    path = write(tmp_path / "c.csv", ["email"], [["ok@bank.example"], ["bad"]])
    from django.core.management import call_command

    call_command("import", "contacts", str(path), "--errors", str(tmp_path / "err.csv"))
    assert "column email" in (tmp_path / "err.csv").read_text()
    assert sys.executable and subprocess  # the kill test below runs the real CLI


def test_a_duplicate_batches_apart_is_found_without_keeping_the_file_in_memory(
        tmp_path, users, monkeypatch):
    from smarketing.imports import engine

    monkeypatch.setattr(engine, "BATCH", 2)
    path = write(tmp_path / "c.csv", ["Email", "First Name"], [
        ["a@bank.example", "Ann"], ["b@bank.example", "Bob"], ["c@bank.example", "Cy"],
        ["d@bank.example", "Di"], ["A@bank.example", "Ann again"], ["b@bank.example", "Bo"],
    ])
    result = import_file(actor=users["admin"], path=path, kind="contacts")
    assert (result.run.created, result.run.errors) == (4, 2)
    assert [(i.line, i.reason) for i in ImportIssue.objects.order_by("line")] == [
        (6, "duplicates line 2 of this file"), (7, "duplicates line 3 of this file")]


def test_the_seen_keys_live_in_a_temporary_database_not_in_memory():
    from smarketing.imports.engine import SeenKeys

    seen = SeenKeys()
    assert seen.first_lines([("a", 2), ("b", 3), ("a", 4)]) == {"a": 2, "b": 3}
    assert seen.first_lines([("b", 5), ("c", 6)]) == {"b": 3, "c": 6}
    assert seen.db.execute("SELECT COUNT(*) FROM seen").fetchone() == (3,)
    seen.close()


def test_the_lookup_caches_are_bounded(users):
    from smarketing.imports import lookups

    cache = {str(i): i for i in range(lookups.CACHE_LIMIT)}
    assert lookups._bounded(cache) == {}


@pytest.mark.parametrize("text,fmt", [
    ("3/15/2024 2:30 PM", "%m/%d/%Y %I:%M %p"), ("12/31/2024 12:05 am", "%m/%d/%Y %I:%M %p"),
    ("3/15/2024 13:30 PM", "%m/%d/%Y %I:%M %p"), ("15/03/2024", "%m/%d/%Y"),
    ("1/2/69", "%m/%d/%y"), ("1/2/68", "%m/%d/%y"), ("2024/03/15 14:05", "%Y/%m/%d %H:%M"),
    ("15.03.2024  9:05", "%d.%m.%Y %H:%M"), ("31/02/2024", "%d/%m/%Y"),
    ("15-Mar-2024", "%d-%b-%Y"), ("3/15/2024 2:30 PM x", "%m/%d/%Y %I:%M %p"),
])
def test_the_fast_date_reader_accepts_and_refuses_what_strptime_does(text, fmt):
    import datetime as dt

    from smarketing.imports.values import strptime

    def outcome(parse):
        try:
            return parse(text, fmt)
        except ValueError:
            return "refused"

    assert outcome(strptime) == outcome(dt.datetime.strptime)
