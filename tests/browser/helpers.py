"""Steps the browser tests share."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

PASSWORD = "pw-for-tests"


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would (from where the page is, if there)."""
    if "/login/" not in page.url:
        page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("current-user")).to_contain_text(username)


def settled(page: Page) -> None:
    """Wait until no htmx request, swap or settle is under way: htmx wires up swapped-in
    content (its hx-* listeners) only when it settles, when it drops `htmx-added`."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def snap(page: Page, name: str) -> None:
    """Keep a full-page screenshot in <data dir>/screenshots/ to look at after a run."""
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"ui-{name}.png"), full_page=True)
