from django.conf import settings
from django.db import models


class Entry(models.Model):
    """One thing a manager (or an import they started) did in a channel."""

    class Category(models.TextChoices):
        CUSTOMER_ADD = "customer_add", "Add customer"
        CUSTOMER_EDIT = "customer_edit", "Edit customer info"
        CUSTOMER_DELETE = "customer_delete", "Delete customer"
        CUSTOMER_BLOCK = "customer_block", "Block customer"
        BULK_IMPORT = "bulk_import", "Bulk customer import"
        UNIFICATION = "unification", "Unification"
        PROFILE_KEY = "profile_key", "Profile keys"
        SETTINGS = "settings", "Channel settings"

    # No database constraint and no index of its own on channel and actor: an Enterprise import
    # writes one entry per customer (R-I15), and checking both keys on each row cost more than
    # the entries themselves; Django still cascades and nulls them, and (channel, time) leads
    # every index the log's pages use.
    channel = models.ForeignKey(
        "contacts.Channel",
        on_delete=models.CASCADE,
        related_name="activity_entries",
        db_constraint=False,
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    category = models.CharField(max_length=32, choices=Category.choices)
    action = models.CharField(max_length=200)
    # Plain ids and a label, not foreign keys: the entry outlives a deleted customer.
    customer_id = models.BigIntegerField(null=True, blank=True)
    customer_label = models.CharField(max_length=512, blank=True, default="")
    import_id = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["channel", "-created_at"], name="activity_channel_time_idx"),
            models.Index(fields=["channel", "category", "-created_at"], name="activity_cat_idx"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.action}"
