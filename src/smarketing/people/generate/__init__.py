"""Deterministic, realistic B2B demo data (`smarketing generate`).

Teams and users in every role (through the services), companies, and contacts
with stage histories over the last months, written with bulk inserts. The rows
are exactly those the services would have written: each contact has its email
identity, StageChange rows with the causes, actors and reasons the lifecycle
allows, and `became_<stage>_at` fields derived from them by the monotone rule.
"""

from smarketing.people.generate.run import (
    GenerateOptions,
    GenerateResult,
    clear_people_data,
    generate,
    people_data_exists,
)

__all__ = [
    "GenerateOptions", "GenerateResult", "clear_people_data", "generate", "people_data_exists",
]
