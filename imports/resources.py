"""The editable export's columns (R-E1), as a django-import-export resource.

Decisions (R-E1, R-I4, R-I5):
- The columns are the import template's (``template_files.template_columns``): the identifier
  first (``memberId`` for members; ``email`` or ``mobileNumber`` for leads), then the other
  manager-editable built-in keys, then the channel's custom keys by name, each headed by the
  key's name, so an exported file maps by itself when it is imported. Import tags and the
  system keys are left out: no import can write them (R-C5, R-I10).
- Each value is written by ``profile_types.format_value``, the form its type's parser reads
  back (``parse(t, format_value(t, v)) == v``); an absent value is an empty cell, which an
  import keeps existing data for.
- The resource describes and renders; it never imports. ``Resource.export()`` would gather
  every row in one tablib ``Dataset``; ``export_rows`` renders one row at a time instead, for
  the streamed files of ``export_files``.
"""

from collections.abc import Iterable, Iterator

from import_export import fields, resources, widgets

from contacts import profile_types
from contacts.keys import BUILTIN_BY_NAME
from imports.engine.mapping import KeyInfo
from imports.template_files import template_columns


class ProfileValueWidget(widgets.Widget):
    """Renders a stored value of one profile type as the cell text the import parses back."""

    def __init__(self, type_name: str) -> None:
        super().__init__()
        self.type_name = type_name

    def render(self, value, obj=None, **kwargs) -> str:
        return profile_types.format_value(self.type_name, value)


class CustomerField(fields.Field):
    """A built-in key's value, read from its Customer field in a ``.values()`` row."""

    def __init__(self, attribute: str, key: str, type_name: str) -> None:
        super().__init__(
            attribute=attribute,
            column_name=key,
            widget=ProfileValueWidget(type_name),
            readonly=True,
        )

    def get_value(self, instance):
        return instance[self.attribute]


class ProfileKeyField(fields.Field):
    """A custom key's value, read from the profile of a ``.values()`` row by its exact name."""

    def __init__(self, key: str, type_name: str) -> None:
        super().__init__(column_name=key, widget=ProfileValueWidget(type_name), readonly=True)
        self.key = key

    def get_value(self, instance):
        return instance["profile"].get(self.key)


class EditableCustomerResource(resources.Resource):
    """A member or lead import's columns, filled from customers' ``.values()`` rows."""

    def __init__(self, *, kind: str, identifier: str | None, custom_keys: Iterable[KeyInfo]):
        super().__init__()
        self.kind = kind
        self.identifier = identifier
        self.value_fields: list[str] = []
        for column in template_columns(kind=kind, identifier=identifier, custom_keys=custom_keys):
            builtin = BUILTIN_BY_NAME.get(column.name)
            if builtin is None:
                field = ProfileKeyField(column.name, column.type)
                if "profile" not in self.value_fields:
                    self.value_fields.append("profile")
            else:
                field = CustomerField(builtin.field, column.name, column.type)
                self.value_fields.append(builtin.field)
            self.fields[column.name] = field

    def export_rows(self, customers: Iterable) -> Iterator[list[str]]:
        """Each customer's cells in the export's column order, one row at a time."""
        exports = [field.export for field in self.get_export_fields()]
        for customer in customers:
            yield [export(customer) for export in exports]
