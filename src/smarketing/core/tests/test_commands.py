from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from smarketing.cli import main
from smarketing.core.management.commands import demo as demo_command
from smarketing.core.management.commands.serve import SmarketingServer, server_options
from smarketing.core.models import Role, Team
from smarketing.integrations.models import ApiToken
from smarketing.integrations.services import token_authenticate
from smarketing.people.models import Company, Contact, Score, StageChange
from smarketing.testing.factories import make_user

pytestmark = pytest.mark.django_db
DEMO_USERS = ("admin", "marketing", "manager", "rep1", "rep2", "rep3", "rep4")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"password for every user above: (\S+)", output)
    assert match, output
    return match.group(1)


def test_smarketing_help_lists_the_project_commands(capsys: Any) -> None:
    main(["smarketing", "--help"])
    listed = {line.strip() for line in capsys.readouterr().out.splitlines()}
    assert {"demo", "serve", "generate", "createuser", "token", "migrate"} <= listed


def test_demo_sets_up_once_and_a_second_run_keeps_the_data(monkeypatch: Any) -> None:
    monkeypatch.setenv("SMARKETING_DEMO_PASSWORD", "demo-pass-123")
    first = run("demo", "--no-serve", "--contacts", "300")
    counts = [m.objects.count() for m in (Contact, Company, StageChange, User, Team)]
    second = run("demo", "--no-serve", "--contacts", "300")
    assert [m.objects.count() for m in (Contact, Company, StageChange, User, Team)] == counts
    assert counts[0] == 300
    assert "Generating" in first and "keeping them" in second
    assert "Rescored 300 contacts" in first and "Rescored" not in second  # scored once
    assert Score.objects.filter(total__gt=0).exists()
    assert "http://127.0.0.1:8000/" in second
    assert printed_password(second) == "demo-pass-123"
    for username in DEMO_USERS:
        assert username in second
        assert authenticate(username=username, password="demo-pass-123") is not None


def test_demo_prints_a_new_random_password_on_each_run_and_it_works(monkeypatch: Any) -> None:
    monkeypatch.delenv("SMARKETING_DEMO_PASSWORD", raising=False)
    first = printed_password(run("demo", "--no-serve", "--contacts", "50"))
    second = printed_password(run("demo", "--no-serve", "--contacts", "50"))
    assert first != second
    assert authenticate(username="rep1", password=second) is not None
    assert authenticate(username="rep1", password=first) is None


def test_demo_creates_the_base_users_when_contacts_exist_without_them(monkeypatch: Any) -> None:
    monkeypatch.setenv("SMARKETING_DEMO_PASSWORD", "demo-pass-123")
    run("generate", "--contacts", "20")
    User.objects.filter(username__in=["manager", "rep1"]).delete()
    output = run("demo", "--no-serve")
    assert authenticate(username="manager", password="demo-pass-123") is not None
    assert User.objects.get(username="rep1").profile.role == Role.SALES_REP
    assert "keeping them" in output


def test_demo_serves_with_the_given_host_and_port(monkeypatch: Any) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(demo_command, "run_server", lambda options, **kw: served.update(options))
    run("demo", "--contacts", "20", "--host", "0.0.0.0", "--port", "9001", "--workers", "3")
    assert (served["host"], served["port"], served["workers"]) == ("0.0.0.0", 9001, 3)
    with pytest.raises(CommandError, match="--port"):
        run("demo", "--no-serve", "--port", "70000")


def test_createuser_creates_a_user_with_role_team_region_and_capacity() -> None:
    output = run(
        "createuser", "ana", "--role", "sales_rep", "--password", "s3cret-pass!",
        "--team", "Nordics", "--region", "emea", "--capacity", "12",
        "--email", "Ana@Example.com",
    )
    user = User.objects.select_related("profile__team").get(username="ana")
    assert "Created user ana" in output and "s3cret" not in output
    assert user.check_password("s3cret-pass!") and user.email == "ana@example.com"
    profile = user.profile
    assert (profile.role, profile.region, profile.capacity) == (Role.SALES_REP, "EMEA", 12)
    assert profile.team is not None and profile.team.name == "Nordics"


def test_createuser_without_a_password_prints_a_generated_one() -> None:
    output = run("createuser", "bo", "--role", "marketing")
    password = re.search(r"Password \(shown once\): (\S+)", output)
    assert password and User.objects.get(username="bo").check_password(password.group(1))


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--role", "boss"], "--role"),
        (["--role", "sales_rep", "--region", "MARS", "--team", "Ghosts"], "--region"),
        (["--role", "admin", "--password", "short"], "--password"),
        (["--role", "admin", "--email", "not-an-email"], "--email"),
        (["--role", "sales_rep", "--capacity", "-1", "--team", "Ghosts"], "--capacity"),
        (["--role", "sales_rep", "--capacity", "many"], "--capacity"),
        ([], "--role"),
    ],
)
def test_createuser_errors_name_the_flag_and_write_nothing(args: list[str], flag: str) -> None:
    with pytest.raises(CommandError, match=re.escape(flag)):
        run("createuser", "cy", "--password", "long-enough-1", *args)
    assert not User.objects.filter(username="cy").exists()
    assert not Team.objects.filter(name="Ghosts").exists()


def test_createuser_refuses_a_taken_name() -> None:
    make_user(Role.MARKETING, username="dee")
    with pytest.raises(CommandError, match="NAME: 'dee' is taken"):
        run("createuser", "dee", "--role", "admin", "--password", "long-enough-1")


def test_token_create_prints_a_token_once_that_authenticates_until_revoked() -> None:
    user = make_user(Role.ADMIN, username="ops")
    output = run("token", "create", "--user", "ops", "--name", "ci")
    raw = output.strip().splitlines()[-1]
    assert token_authenticate(raw) == user
    token = ApiToken.objects.get(user=user)
    listing = run("token", "list", "--user", "ops")
    assert token.prefix in listing and raw not in listing and "active" in listing
    assert "Revoked" in run("token", "revoke", str(token.pk))
    assert token_authenticate(raw) is None
    assert "revoked" in run("token", "list")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "nobody"], "--user: no user named 'nobody'"),
        (["list", "--user", "nobody"], "--user"),
        (["revoke", "999"], "ID: token 999"),
        (["revoke", "abc"], "id"),
        ([], "ACTION"),
    ],
)
def test_token_errors_name_the_argument(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run("token", *args)


def test_serve_configures_threaded_gunicorn_around_the_django_app() -> None:
    from smarketing.wsgi import application

    server = SmarketingServer(server_options(host="127.0.0.1", port=8123, workers=3, threads=5))
    assert server.cfg.worker_class_str == "smarketing.core.server_worker.BalancedThreadWorker"
    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert (server.cfg.workers, server.cfg.threads) == (3, 5)
    assert server.load() is application


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 180.0) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def _serving(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`smarketing serve` on a fresh SQLite database in data_dir: (process, base URL)."""
    env = {**os.environ, "SMARKETING_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "smarketing.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_answers_over_http_with_static_files(tmp_path: Path) -> None:
    with _serving(tmp_path) as (_, base):
        status, page = _get(f"{base}/login/")
        assert status == 200 and "csrfmiddlewaretoken" in page
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheet, page
        assert _get(f"{base}{stylesheet.group(1)}")[0] == 200


def _children(pid: int) -> dict[int, str]:
    """{pid: command line} of the processes whose parent is pid (Linux /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = command.decode()
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_serve_runs_a_job_worker_beside_it_that_stops_with_it(tmp_path: Path) -> None:
    with _serving(tmp_path) as (server, base):
        _get(f"{base}/login/")
        workers = {p: c for p, c in _children(server.pid).items() if " worker --parent " in c}
        assert list(workers.values()) == [
            f"{sys.executable} -m smarketing.cli worker --parent {server.pid} "
        ]
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
