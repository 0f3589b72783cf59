"""An import and what it leaves: failed rows, matches, conflicts, notifications (R-I*).

Decisions:
- R-I14: the counters are Counts' (``imports.engine.counts``), each kept in the field
  COUNT_FIELDS names; ``Import.counts`` reads and writes them together.
- R-I14: ImportMatch keeps the customers a running import matched without changing them,
  committed with the chunk that matched them, so a resumed import still counts each customer
  once and the customer row itself is not written. Changed and created customers carry the
  import in ``Customer.last_import_id`` instead. The matches are removed when the import ends.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from imports.engine.counts import NAMES, Counts


def _count_field(name: str) -> str:
    # The columns are older than Counts: conflicts are kept in conflict_count.
    return "conflict_count" if name == "conflicts" else f"{name}_count"


# The Import field that keeps each counter of Counts (R-I14).
COUNT_FIELDS = {name: _count_field(name) for name in NAMES}


def import_upload_path(instance, filename):
    return f"imports/{instance.channel_id}/{filename}"


def failures_upload_path(instance, filename):
    return f"import-failures/{instance.channel_id}/{filename}"


class Import(models.Model):
    """One bulk customer import of one file into one channel (R-I1..R-I22)."""

    class Kind(models.TextChoices):
        MEMBER = "member", "Members"
        LEAD = "lead", "Leads"

    class Identifier(models.TextChoices):
        EMAIL = "email", "Email"
        MOBILE = "mobile", "Mobile number"

    class EmptyCells(models.TextChoices):
        KEEP = "keep", "Keep existing data"
        CLEAR = "clear", "Clear existing data"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        STOPPED = "stopped", "Stopped"

    class CheckStatus(models.TextChoices):
        NONE = "", "Not checked"
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Checking"
        DONE = "done", "Checked"
        FAILED = "failed", "Check failed"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    channel = models.ForeignKey(
        "contacts.Channel", on_delete=models.CASCADE, related_name="imports"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    identifier = models.CharField(max_length=10, choices=Identifier.choices, blank=True, default="")
    file = models.FileField(upload_to=import_upload_path, max_length=300)
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=32, blank=True, default="")
    delimiter = models.CharField(max_length=4, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True, help_text="Column header -> profile key.")
    new_keys = models.JSONField(
        default=dict, blank=True, help_text="Custom keys the import creates: name -> type."
    )
    empty_cells = models.CharField(
        max_length=10, choices=EmptyCells.choices, default=EmptyCells.KEEP
    )
    tag = models.CharField(max_length=200)
    # R-I7a: the manager's choice of both opt-outs for the customers the import creates, or None
    # (no choice: a new customer's row needs both values, R-I7).
    new_unsubscribe_email = models.BooleanField(null=True, blank=True)
    new_unsubscribe_texting = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    last_row_number = models.PositiveIntegerField(
        default=1, help_text="Spreadsheet row number of the last committed row (header is 1)."
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    created_hidden_count = models.PositiveIntegerField(default=0)
    unified_count = models.PositiveIntegerField(default=0)
    pending_unification_count = models.PositiveIntegerField(default=0)
    conflict_count = models.PositiveIntegerField(default=0)
    # R-M3: room left under the MU limit for the customers the import creates; set when the
    # run starts and saved with every chunk, so a resumed run fills the same room. None: no limit.
    mu_room_left = models.IntegerField(null=True, blank=True)
    check_result = models.JSONField(
        null=True, blank=True, help_text="The last dry run's report (R-I11)."
    )
    # The dry run of the wizard runs in the worker; these follow it like rows_done follows a run.
    check_status = models.CharField(
        max_length=10, choices=CheckStatus.choices, blank=True, default=CheckStatus.NONE
    )
    check_rows_done = models.PositiveIntegerField(default=0)
    check_error = models.TextField(blank=True, default="")
    # A stop asked for while the import runs: it ends after the chunk in flight.
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    stop_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last sign of life of whoever holds the import's work: set when it is queued, when a
    # runner takes it and with every committed chunk; for a draft, the same of its check.
    # Empty once a runner let go of it (an interrupted command). Stale: the sweep queues the
    # work again (imports.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True, default="")
    failures_file = models.FileField(
        upload_to=failures_upload_path, max_length=300, blank=True, default=""
    )
    failures_expire_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # R-I16, held by the database so it holds across web and worker processes.
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(status__in=["queued", "running"]),
                name="import_one_active_per_channel",
            ),
        ]

    def __str__(self):
        return f"Import #{self.pk} {self.file_name} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def counts(self) -> Counts:
        """What the import did, or its check found (R-I14)."""
        return Counts(**{name: getattr(self, field) for name, field in COUNT_FIELDS.items()})

    @counts.setter
    def counts(self, counts: Counts) -> None:
        for name, field in COUNT_FIELDS.items():
            setattr(self, field, getattr(counts, name))

    @property
    def new_opt_outs(self) -> tuple[bool, bool] | None:
        """The opt-outs chosen for the customers the import creates (R-I7a), or None."""
        if self.new_unsubscribe_email is None or self.new_unsubscribe_texting is None:
            return None
        return self.new_unsubscribe_email, self.new_unsubscribe_texting


class ImportFailure(models.Model):
    """A failed row of an import (R-I14), committed with the chunk it belongs to."""

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="failures")
    row_number = models.PositiveIntegerField()
    error_columns = models.JSONField(default=list)
    error_reasons = models.JSONField(default=list)
    errors = models.JSONField(
        default=list, blank=True, help_text="[column, reason] pairs, in the row's order."
    )
    values = models.JSONField(default=dict, help_text="The row's mapped cells, by profile key.")

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["import_run", "row_number"], name="failure_unique_row"),
        ]

    def __str__(self):
        return f"Row {self.row_number}: {'; '.join(self.error_reasons)}"


class ImportMatch(models.Model):
    """A customer a running import matched without changing it, counted once as updated (R-I14)."""

    pk = models.CompositePrimaryKey("import_run", "customer_id")
    import_run = models.ForeignKey(
        Import, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer_id = models.BigIntegerField()

    def __str__(self):
        return f"Import {self.import_run_id} matched customer {self.customer_id}"


class ImportConflict(models.Model):
    """A lead row whose email and mobile point at two different members (R-U6)."""

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="conflicts")
    row_number = models.PositiveIntegerField()
    lead_id = models.BigIntegerField(null=True, blank=True)
    email_member_id = models.BigIntegerField()
    mobile_member_id = models.BigIntegerField()

    class Meta:
        ordering = ["row_number"]

    def __str__(self):
        return f"Row {self.row_number}: #{self.email_member_id} vs #{self.mobile_member_id}"


class Notification(models.Model):
    """A message to a manager, e.g. that an import ended (R-I13)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.ForeignKey(
        "contacts.Channel", on_delete=models.CASCADE, related_name="notifications"
    )
    import_run = models.ForeignKey(
        Import, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.text
