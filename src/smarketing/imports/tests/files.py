"""Building import files from real public rows (../shared/data) in the header
conventions of HubSpot and Salesforce exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

BANK = Path(__file__).resolve().parents[5] / "shared" / "data" / "uci_bank_marketing" / (
    "bank-full.csv")
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def bank_rows(count: int) -> list[dict[str, str]]:
    """`count` real telemarketing contacts of the UCI Bank Marketing set, one in three
    of them a subscriber (y=yes), in file order."""
    if not BANK.is_file():
        pytest.skip(f"real data set missing: {BANK} (see ../shared/data/README.md)")
    with BANK.open(encoding="utf-8") as handle:
        yes: list[dict[str, str]] = []
        no: list[dict[str, str]] = []
        for row in csv.DictReader(handle, delimiter=";"):
            (yes if row["y"] == "yes" else no).append(row)
            if len(yes) > count // 3 and len(no) >= count:
                break
    mixed = [yes[i // 3] if i % 3 == 0 else no[i] for i in range(count)]
    return mixed


def contacted_at(row: dict[str, str], year: int = 2024) -> dt.datetime:
    return dt.datetime(year, MONTHS[row["month"]], int(row["day"]), 10, 30)


def write(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8",
          delimiter: str = ",", newline: str = "\r\n") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def hubspot_contacts(path: Path, rows: list[dict[str, str]], **kw: str) -> Path:
    """One HubSpot contact per bank row: converted customers (y=yes) became a lead when
    contacted, an MQL a day later, an SQL a week later and a customer a month later."""
    header = ["Record ID", "First Name", "Last Name", "Email", "Job Title", "Lifecycle Stage",
              "Lead Status", "Create Date", "Became a Lead Date",
              "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date"]
    lines = []
    for i, row in enumerate(rows, start=1):
        at = contacted_at(row)
        won = row["y"] == "yes"
        lines.append([
            str(1000 + i), row["job"].title(), f"Client{i}", f"client{i}@bank.example",
            row["job"], "Sales Qualified Lead" if won else "Lead", "" if won else "New",
            at.strftime("%m/%d/%Y %I:%M %p"), at.strftime("%m/%d/%Y %I:%M %p"),
            (at + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M") if won else "",
            (at + dt.timedelta(days=7)).strftime("%Y-%m-%d %H:%M") if won else "",
        ])
    return write(path, header, lines, **kw)


def hubspot_deals(path: Path, rows: list[dict[str, str]]) -> Path:
    header = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date",
              "Create Date", "Associated Contact IDs"]
    lines = []
    for i, row in enumerate(rows, start=1):
        if row["y"] != "yes":
            continue
        at = contacted_at(row) + dt.timedelta(days=10)
        lines.append([str(5000 + i), f"Term deposit {i}", "Closed Won", "Sales Pipeline",
                      str(abs(int(row["balance"])) + 100), (at + dt.timedelta(days=20)).date()
                      .isoformat(), at.isoformat(), f"{1000 + i}"])
    return write(path, header, lines)


def salesforce_leads(path: Path, rows: list[dict[str, str]]) -> Path:
    """Salesforce Lead export (API names): subscribers (y=yes) were converted a week
    after they were contacted, into a contact and an opportunity."""
    header = ["Id", "FirstName", "LastName", "Email", "Company", "Title", "Status",
              "LeadSource", "IsConverted", "ConvertedDate", "ConvertedContactId",
              "ConvertedOpportunityId", "CreatedDate"]
    lines = []
    for i, row in enumerate(rows, start=1):
        at = contacted_at(row)
        won = row["y"] == "yes"
        lines.append([
            f"00Q{i:012d}", row["job"].title(), f"Lead{i}", f"lead{i}@bank.example",
            f"{row['job'].title()} Co {i % 7}", row["job"],
            "Closed - Converted" if won else "Open - Not Contacted",
            "Phone Inquiry" if row["contact"] == "telephone" else "Web",
            "true" if won else "false",
            (at + dt.timedelta(days=7)).date().isoformat() if won else "",
            f"003{i:012d}" if won else "", f"006{i:012d}" if won else "",
            at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        ])
    return write(path, header, lines)


def salesforce_opportunities(path: Path, rows: list[dict[str, str]]) -> Path:
    """Opportunities of the converted leads: even ones won, odd ones lost (report labels)."""
    header = ["Opportunity ID", "Opportunity Name", "Stage", "Amount", "Close Date",
              "Created Date", "Won", "Closed"]
    lines = []
    for i, row in enumerate(rows, start=1):
        if row["y"] != "yes":
            continue
        at = contacted_at(row) + dt.timedelta(days=7)
        won = i % 2 == 0
        lines.append([f"006{i:012d}", f"Deposit {i}", "Closed Won" if won else "Closed Lost",
                      f"{abs(int(row['balance'])) + 50:,}.00",
                      (at + dt.timedelta(days=30)).strftime("%m/%d/%Y"),
                      at.strftime("%m/%d/%Y %I:%M %p"), "1" if won else "0", "1"])
    return write(path, header, lines)
