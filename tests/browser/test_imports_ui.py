"""The import flow in a real headless Chromium: upload a HubSpot export, preview its
first rows mapped, run it (the worker imports), watch the progress, download the
failed rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.core import jobs
from smarketing.imports.tests.files import bank_rows, hubspot_contacts
from smarketing.people.models import Contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_marketing_uploads_previews_runs_and_downloads_the_failed_rows(
    browser_page: Page, users: dict[str, Any], tmp_path: Path
) -> None:
    path = hubspot_contacts(tmp_path / "hubspot-contacts.csv", bank_rows(12))
    path.write_bytes(path.read_bytes() + b"99,Bad,Row,bad@,job,Lead,,,,,\r\n")
    page = browser_page
    page.goto("/imports/")
    log_in(page, "marketing")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_test_id("preview")).to_contain_text("Email → email")
    expect(page.get_by_test_id("preview-row")).to_have_count(10)
    expect(page.get_by_test_id("preview-row").first).to_contain_text("client1@bank.example")
    snap(page, "import-preview")
    page.get_by_label("When a record exists").select_option("skip")
    page.get_by_role("button", name="Run import").click()
    expect(page.get_by_test_id("import-progress")).to_contain_text("Queued")

    jobs.run_burst("browser-test-worker")
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("13 of 13 rows")  # the page polls until it is done
    expect(counts).to_contain_text("12 created")
    expect(page.get_by_test_id("issue-table")).to_contain_text("Email")
    snap(page, "import-finished")
    with page.expect_download() as download:
        page.get_by_test_id("errors-download").click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0].endswith(",error") and "bad@" in text
    assert Contact.objects.count() == 12


def test_a_rep_gets_a_403_page(browser_page: Page, users: dict[str, Any]) -> None:
    page = browser_page
    page.goto("/imports/")
    log_in(page, "rep1")
    assert page.get_by_text("403").count() or "may not" in page.content()
