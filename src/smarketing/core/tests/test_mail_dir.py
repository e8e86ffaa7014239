"""SMARKETING_MAIL_DIR: with no SMTP server to hand (the demo), mail lands in files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SEND = (
    "import django; django.setup();"
    "from django.core.mail import send_mail;"
    "send_mail('SLA breach: Ada Lovelace', 'Follow up now.', None, ['rep1@example.com'])"
)


def _send_with(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMARKETING_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SETTINGS_MODULE": "smarketing.settings", **env}
    return subprocess.run([sys.executable, "-c", SEND], env=env, capture_output=True, text=True)


def test_a_mail_dir_gets_each_message_as_a_file(tmp_path: Path) -> None:
    result = _send_with({"SMARKETING_MAIL_DIR": str(tmp_path / "mail")}, tmp_path)
    assert result.returncode == 0, result.stderr
    [message] = (tmp_path / "mail").iterdir()
    text = message.read_text()
    assert "Subject: SLA breach: Ada Lovelace" in text and "To: rep1@example.com" in text


def test_without_a_mail_dir_mail_goes_to_the_smtp_server(tmp_path: Path) -> None:
    result = _send_with({"SMARKETING_MAIL_DIR": "", "SMARKETING_SMTP_HOST": "127.0.0.1",
                         "SMARKETING_SMTP_PORT": "9", "SMARKETING_SMTP_TIMEOUT": "2"}, tmp_path)
    assert result.returncode != 0 and "ConnectionRefusedError" in result.stderr
    assert not (tmp_path / "mail").exists()
