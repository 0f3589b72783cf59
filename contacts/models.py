"""Channels, their managers and invitations, customers, profile keys and conversations.

Decisions:
- An invitation stores only the SHA-256 of its link's token; the link itself is shown once.
- A channel's site boots with the public plugin key; its backend calls the customer API with
  the access key and secret (R-D2, `api.services`).
- R-M1 is written once in Python, ``IS_MU``, which the contact list and the partial indexes
  use, and once in SQL, in the triggers that keep ``MuCounter`` (the mu_counter migration,
  whose Decisions say why the count is a table of its own the database keeps). The tests hold
  the two together. The app reads the counter and never writes it, but for `mu_recount` setting
  a drift right (``contacts.mu_counter``).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Upper
from django.utils import timezone

from contacts.keys import customer_type


class Channel(models.Model):
    """One company's workspace: its managers, customers, profile keys and imports."""

    class Plan(models.TextChoices):
        FREE = "free", "Free"
        PRO = "pro", "Pro"
        ENTERPRISE = "enterprise", "Enterprise"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    has_security_package = models.BooleanField(default=False)
    mu_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Manual MU limit (R-M2); empty means no limit."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def logs_import_edits(self) -> bool:
        """R-I15: each customer edit an import makes is logged on Enterprise with security."""
        return self.plan == self.Plan.ENTERPRISE and self.has_security_package


class Membership(models.Model):
    """A manager's seat in a channel, with a role and permissions (R-I17, R-D1)."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MANAGER)
    can_edit_customers = models.BooleanField(
        default=False, help_text="Edit customer information, add leads and import (R-I17)."
    )
    can_delete_customers = models.BooleanField(default=False, help_text="Delete customers (R-D1).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="membership_unique_user"),
            models.UniqueConstraint(
                fields=["channel"], condition=Q(role="owner"), name="membership_one_owner"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.channel} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    @property
    def may_edit(self) -> bool:
        return self.is_owner or self.can_edit_customers

    @property
    def may_delete(self) -> bool:
        return self.is_owner or self.can_delete_customers


class Invitation(models.Model):
    """An owner's invitation to manage a channel: a one-time link that expires."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="invitations")
    email = models.CharField(max_length=254, help_text="Lowercased.")
    can_edit_customers = models.BooleanField(default=False)
    can_delete_customers = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.channel}"


class ProfileKey(models.Model):
    """A custom profile key of a channel; the built-in keys (R-C5) live in code."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="profile_keys")
    name = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "name"], name="profilekey_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.type})"


# R-M1: a customer with stored contact information. One without is an anonymous visitor of
# the site (a boot, R-C4): it is neither listed nor counted in MU.
HAS_CONTACT = Q(member_id__isnull=False) | Q(email__isnull=False) | Q(mobile_number__isnull=False)
IS_LEAD = Q(member_id__isnull=True) & (Q(email__isnull=False) | Q(mobile_number__isnull=False))
# R-M1: a managed user, counted in MU and shown in the contact list.
IS_MU = HAS_CONTACT & Q(is_hidden=False, is_blocked=False)


def name_bigrams() -> Func:
    """The upper-cased name's two-character pieces: a PostgreSQL function of migration 0009."""
    return Func(
        F("name"), function="customer_name_bigrams", output_field=ArrayField(models.TextField())
    )


class Customer(models.Model):
    """A member (member_id), a lead (email or mobile) or an anonymous visitor (R-C1, R-C4)."""

    # No index of its own: every index below starts with the channel.
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="customers", db_index=False
    )
    member_id = models.CharField(max_length=512, null=True, blank=True)
    name = models.CharField(max_length=512, blank=True, default="")
    email = models.CharField(max_length=512, null=True, blank=True)
    mobile_number = models.CharField(max_length=32, null=True, blank=True)
    landline_number = models.CharField(max_length=32, null=True, blank=True)
    email_verified = models.BooleanField(default=False)
    mobile_verified = models.BooleanField(default=False)
    # None means "unknown": a customer from a chat who never said (R-I7).
    unsubscribe_email = models.BooleanField(null=True, blank=True)
    unsubscribe_texting = models.BooleanField(null=True, blank=True)
    import_tags = models.JSONField(default=list, blank=True, help_text="Oldest first, at most 30.")
    profile = models.JSONField(default=dict, blank=True, help_text="Custom profile key values.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True)
    has_booted = models.BooleanField(default=False)
    # The site's id of the browser or app that boots (R-C4); a login moves it to the member.
    veil_id = models.CharField(max_length=128, null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    is_blocked = models.BooleanField(default=False)
    blocked_at = models.DateTimeField(null=True, blank=True)
    # Import bookkeeping (R-I14): plain ids, written in the same transaction as an import chunk,
    # so an interrupted import still counts each customer once when it resumes. An import sets
    # last_import_id on the customers it creates or changes; the ones it matches without change
    # are not written (imports.ImportMatch counts them).
    created_by_import_id = models.BigIntegerField(null=True, blank=True)
    last_import_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "member_id"],
                condition=Q(member_id__isnull=False),
                name="customer_unique_member_id",
            ),
            models.UniqueConstraint(
                fields=["channel", "veil_id"],
                condition=Q(veil_id__isnull=False),
                name="customer_unique_veil_id",
            ),
        ]
        indexes = [
            # Equality (imports, unification) and prefix search (LIKE 'kim%') alike: the pattern
            # operator class compares bytes, as LIKE does, whatever the database's collation.
            models.Index(
                fields=["channel", "email"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="customer_email_idx",
            ),
            models.Index(
                fields=["channel", "mobile_number"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="customer_mobile_idx",
            ),
            models.Index(fields=["channel", "last_seen_at"], name="customer_last_seen_idx"),
            # The contact list: anonymous visitors, however many boot, are not in it. Its rows
            # are R-M1's, so a fresh MU count (mu_recount) is an index-only scan of it too.
            models.Index(
                fields=["channel", "-id"],
                name="customer_listed_idx",
                condition=IS_MU,
            ),
            # Leads alone: the Leads tab in a channel of a million members, and a dry run
            # asking whether any lead could unify with a member import.
            models.Index(
                fields=["channel", "-id"],
                name="customer_leads_idx",
                condition=IS_LEAD,
            ),
            models.Index(
                fields=["channel", "-blocked_at"],
                name="customer_blocked_idx",
                condition=Q(is_blocked=True),
            ),
            # The list's filters in one GIN index (PostgreSQL only, see migration 0009): the
            # import tag, the name's bigrams and trigrams, with the channel (btree_gin), so that a
            # tag with a search is one index scan intersecting its lists, not two bitmaps.
            GinIndex(
                F("channel"),
                OpClass(F("import_tags"), name="jsonb_path_ops"),
                name_bigrams(),
                OpClass(Upper("name"), name="gin_trgm_ops"),
                name="customer_search_gin",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    @property
    def is_visitor(self) -> bool:
        return self.member_id is None and self.email is None and self.mobile_number is None

    @property
    def type(self) -> str:
        return customer_type(self.member_id, self.email, self.mobile_number)

    @property
    def display_name(self) -> str:
        return self.name or self.member_id or self.email or self.mobile_number or f"#{self.pk}"


class MuCounter(models.Model):
    """A channel's MU count (R-M1), kept by the database's triggers (the mu_counter migration)."""

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, primary_key=True, related_name="mu_counter"
    )
    mu_count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"MU {self.mu_count} in {self.channel_id}"


class PendingUnification(models.Model):
    """A booted lead waiting to be unified with a member when it logs in (R-U3)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    import_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead", "member"], name="pending_unification_unique"),
        ]

    def __str__(self):
        return f"Lead #{self.lead_id} -> member #{self.member_id}"


class Conversation(models.Model):
    """A chat with a customer; it outlives the customer (R-D1) and follows unification (R-U5)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="conversations")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    subject = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject or f"Conversation #{self.pk}"


class ChannelApiKeys(models.Model):
    """A channel's API keys: the plugin key its pages boot with, the access key and secret."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="api_keys")
    plugin_key = models.CharField(max_length=64, unique=True)
    access_key = models.CharField(max_length=64, unique=True)
    # SHA-256 of the secret, which is shown once; empty until the owner generates one.
    secret_hash = models.CharField(max_length=64, blank=True, default="")
    secret_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API keys"
        verbose_name_plural = "API keys"

    def __str__(self):
        return f"API keys of {self.channel}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_hash)
