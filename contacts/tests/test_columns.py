"""The column table (contacts.columns) against the Customer model it describes."""

from django.db import models

from contacts.columns import BY_FIELD, COLUMNS, STORED_FIELDS
from contacts.keys import BUILTIN_KEYS
from contacts.models import Customer

_SQL_TYPES = {
    models.CharField: "text",
    models.BooleanField: "boolean",
    models.JSONField: "jsonb",
    models.DateTimeField: "timestamptz",
    models.BigIntegerField: "bigint",
}


def _stored_fields() -> list[models.Field]:
    return [f for f in Customer._meta.concrete_fields if f.name not in ("id", "channel")]


def test_the_table_holds_every_stored_field_of_the_customer_once():
    assert sorted(STORED_FIELDS) == sorted(f.name for f in _stored_fields())
    assert len(set(STORED_FIELDS)) == len(COLUMNS)


def test_each_column_has_its_model_fields_type_and_nullability():
    for field in _stored_fields():
        column = BY_FIELD[field.name]
        assert column.sql == _SQL_TYPES[type(field)], field.name
        assert column.null == field.null, field.name


def test_the_built_in_keys_are_the_named_columns_with_a_profile_type():
    assert [k.field for k in BUILTIN_KEYS] == [c.field for c in COLUMNS if c.type is not None]
    assert all(k.name == BY_FIELD[k.field].name for k in BUILTIN_KEYS)


def test_a_contact_names_a_verified_mark_the_table_holds():
    marks = [c.verified for c in COLUMNS if c.verified is not None]
    assert marks == ["email_verified", "mobile_verified"]
    assert all(BY_FIELD[mark].sql == "boolean" for mark in marks)
