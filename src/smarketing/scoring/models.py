"""Versioned scoring models, their fit and engagement rules, and stored scores.

A model is never edited in place: every change (rules, threshold, half-life, hand-raise
events) creates a new version that copies the old one, records who changed what and
when, and becomes the one active model. Past MQL decisions name the version they used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from smarketing.people.models import Company, Contact


class AccountAggregate(models.TextChoices):
    """How a company's (account) score is computed from its contacts' scores."""

    MAX = "max", "Highest contact"
    SUM = "sum", "Sum of contacts"
    AVG = "avg", "Average of contacts"


class ScoringModel(models.Model):
    version = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=False)
    name = models.CharField(max_length=100, default="Default B2B model")
    threshold = models.PositiveIntegerField(default=60, help_text="MQL at total >= this.")
    half_life_days = models.PositiveIntegerField(
        default=30, help_text="Engagement points halve every this many days; 0: no decay."
    )
    hand_raise_events = models.JSONField(
        default=list, blank=True, help_text="Track event names that make a contact an MQL."
    )
    account_aggregate = models.CharField(
        max_length=10, choices=AccountAggregate.choices, default=AccountAggregate.MAX
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    change_note = models.CharField(max_length=1000, blank=True, default="")
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True),
                name="scoring_one_active_model",
            ),
            models.CheckConstraint(
                condition=models.Q(account_aggregate__in=AccountAggregate.values),
                name="scoring_account_aggregate_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Operator(models.TextChoices):
    EQUALS = "equals", "equals"
    IN = "in", "in"
    NOT_IN = "not_in", "not in"
    CONTAINS = "contains", "contains"
    RANGE = "range", "range"
    EXISTS = "exists", "exists"
    REGEX = "regex", "matches regex"


class FitRule(models.Model):
    """`field` is a path: a contact field (`title`), `company.<field>`,
    `properties.<key>` or `company.properties.<key>`."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="fit_rules")
    label = models.CharField(max_length=200, blank=True, default="")
    field = models.CharField(max_length=200)
    operator = models.CharField(max_length=10, choices=Operator.choices)
    value = models.JSONField(default=None, null=True, blank=True)
    points = models.IntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operator__in=Operator.values), name="fit_rule_operator_valid"
            ),
            models.CheckConstraint(condition=~models.Q(field=""), name="fit_rule_field_set"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.field} {self.operator} {self.value}"


class EngagementRule(models.Model):
    """Points per matching event; `event_type` and `event_name` blank match any.
    `property_filters` maps an event column (`page_path`, `utm_source`, ...) or
    `properties.<key>` to the exact value it must have. Caps bound the magnitude of
    a rule's points per day and in total (0: no cap); `recency_days` (0: all time)
    ignores older events. Negative points are allowed."""

    model = models.ForeignKey(
        ScoringModel, on_delete=models.CASCADE, related_name="engagement_rules"
    )
    label = models.CharField(max_length=200, blank=True, default="")
    event_type = models.CharField(max_length=10, blank=True, default="")
    event_name = models.CharField(max_length=200, blank=True, default="")
    property_filters = models.JSONField(default=dict, blank=True)
    points = models.IntegerField()
    daily_cap = models.PositiveIntegerField(default=0)
    rule_cap = models.PositiveIntegerField(default=0)
    recency_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    event_type__in=["", "identify", "track", "page", "screen", "group", "alias"]
                ),
                name="engagement_rule_type_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(points=0), name="engagement_rule_points_nonzero"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.event_type} {self.event_name}".strip() or "any event"


class ContactScore(models.Model):
    """The model and time of a contact's last scoring by the incremental path, and its
    predictive score. The numbers are people.Score's alone; a full rescore writes no
    row here (FullRescore stands for all of them: selectors.stored_score reads the
    later of the two)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField()
    probability = models.FloatField(null=True, blank=True)
    factors = models.JSONField(default=list, blank=True)
    predictive_version = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.model_id} at {self.scored_at}"


class FullRescore(models.Model):
    """The last full rescore (one row): it computed or confirmed every stored score with
    its model at its time, without a ContactScore row a contact (stamping them was ~12 %
    of a rule change's rescore, and writing them a third of a first scoring's writes);
    the effective model and time are read through selectors.stored_score."""

    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    through = models.BigIntegerField(
        default=0, help_text="The highest contact id it scored (contacts after it were not).")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="full_rescore_one")]

    def __str__(self) -> str:
        return f"Full rescore with {self.model_id} at {self.at}"

    def covers(self, contact_id: int) -> bool:
        return contact_id <= self.through


class CompanyScore(models.Model):
    """The account score: the model's aggregate of its contacts' scores."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    fit = models.IntegerField(default=0)
    engagement = models.IntegerField(default=0)
    total = models.IntegerField(default=0)
    contacts = models.PositiveIntegerField(default=0)
    scored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.company_id}: {self.total}"


class PredictiveModel(models.Model):
    """A trained predictive model: its holdout report and the fitted estimator."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    target = models.CharField(max_length=20, default="customer")
    report = models.JSONField(default=dict, blank=True)
    estimator = models.BinaryField(help_text="The fitted scikit-learn pipeline (joblib).")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Predictive model v{self.version}"


class ScoreChange(models.Model):
    """A change of a contact's stored score (history for the contact timeline)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="+")
    fit = models.IntegerField()
    engagement = models.IntegerField()
    total = models.IntegerField()
    previous_total = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["contact", "-at"], name="score_change_contact_at")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.previous_total} -> {self.total}"


class RescoreRun(models.Model):
    """A full rescore run by the job queue (after a model change): its progress."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    contacts = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    mqls = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.CharField(max_length=2000, blank=True, default="")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Rescore with {self.model_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


class EngagementMatcher(models.Model):
    """What an engagement rule or a hand-raise counts (event type, name and property
    filters, canonical JSON in `key`): the key of the daily counts, shared by every
    model version that counts the same events, so a change of points, caps, recency
    or threshold keeps them. `ready`: its counts cover every event (built)."""

    key = models.CharField(max_length=2000, unique=True)
    event_type = models.CharField(max_length=10, blank=True, default="")
    event_name = models.CharField(max_length=200, blank=True, default="")
    property_filters = models.JSONField(default=dict, blank=True)
    ready = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.key


class EngagementDay(models.Model):
    """How many of a contact's events a matcher counts on one UTC day: kept by
    scoring.days from the changed (contact, day) pairs, so that scoring an ingested
    event reads these daily counts, not the contact's event history."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    matcher = models.ForeignKey(EngagementMatcher, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    day = models.DateField()
    occurrences = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # (contact, day) first: apply() replaces a pair's rows through it
            models.UniqueConstraint(fields=["contact", "day", "matcher"],
                                    name="scoring_engagement_day_unique"),
            models.CheckConstraint(condition=models.Q(occurrences__gt=0),
                                   name="scoring_engagement_day_counted"),
        ]
        indexes = [models.Index(fields=["matcher", "contact"], name="scoring_day_matcher")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.day}: {self.occurrences} of matcher {self.matcher_id}"


class DayQueue(models.Model):
    """The (contact, UTC day) pairs whose events changed since their counts were made:
    database triggers add them (SQLite: updates and deletes; inserted events are
    swept by id instead, DayMark), scoring.days.apply() recomputes and removes them.
    `writer`: PostgreSQL's backend, so concurrent writers never wait on one row."""

    contact_id = models.BigIntegerField()
    day = models.DateField()
    writer = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact_id", "day", "writer"],
                                               name="scoring_day_queue_unique")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.day}"


class DayMark(models.Model):
    """SQLite: the events up to this id are on the queue (or counted)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    upto = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="scoring_day_mark_one")]

    def __str__(self) -> str:
        return f"events up to {self.upto}"
