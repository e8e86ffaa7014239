"""`smarketing rescore`: a progress bar, a summary, the default model on first run."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from smarketing.people.models import Contact, Stage
from smarketing.scoring.tests.helpers import event
from smarketing.testing.factories import make_company, make_contact


def test_it_rescores_everybody_with_the_default_model_and_reports(
    db: Any, capsys: Any
) -> None:
    big = make_company(employee_count=900, country="US")
    buyer = make_contact(title="VP Finance", company=big, email="ann@big.example")
    make_contact(email="joe@gmail.com")
    event(buyer, "track", "Demo Requested")
    out = StringIO()
    call_command("rescore", "--batch", "1", stdout=out)
    assert "Rescored 2 contacts with Default B2B model v1" in out.getvalue()
    assert "1 new MQLs" in out.getvalue()
    assert "100%" in capsys.readouterr().err
    stored = Contact.objects.get(pk=buyer.pk)
    assert (stored.fit_score, stored.lifecycle_stage) == (35, Stage.MQL)
    assert Contact.objects.get(email="joe@gmail.com").score == -10


def test_it_refuses_a_batch_below_one(db: Any) -> None:
    with pytest.raises(CommandError, match="--batch"):
        call_command("rescore", "--batch", "0")
