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
  the streamed files of ``export_files``, from ``values_list()`` tuples (no model instances),
  each cell read and formatted by its field and widget directly: the same values as
  ``export_field`` gives, with two calls a cell instead of six (``export_field`` looks up a
  dehydrate method for every cell; bench/README.md).
"""

from collections.abc import Iterable, Iterator
from functools import partial
from operator import itemgetter

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
        self.format = partial(profile_types.format_value, type_name)

    def render(self, value, obj=None, **kwargs) -> str:
        return self.format(value)


class CustomerField(fields.Field):
    """A built-in key's value: one item of a customer's ``values_list()`` row."""

    def __init__(self, position: int, attribute: str, key: str, type_name: str) -> None:
        super().__init__(
            attribute=attribute,
            column_name=key,
            widget=ProfileValueWidget(type_name),
            readonly=True,
        )
        self.read = itemgetter(position)

    def get_value(self, instance):
        return self.read(instance)


class ProfileKeyField(fields.Field):
    """A custom key's value, from the profile in a customer's ``values_list()`` row."""

    def __init__(self, position: int, key: str, type_name: str) -> None:
        super().__init__(column_name=key, widget=ProfileValueWidget(type_name), readonly=True)
        self.position = position
        self.key = key

    def read(self, row: tuple):
        return row[self.position].get(self.key)

    def get_value(self, instance):
        return self.read(instance)


class EditableCustomerResource(resources.Resource):
    """A member or lead import's columns, filled from customers' ``values_list()`` rows."""

    def __init__(self, *, kind: str, identifier: str | None, custom_keys: Iterable[KeyInfo]):
        super().__init__()
        self.kind = kind
        self.identifier = identifier
        self.value_fields: list[str] = []  # the values_list() of a row, in this order
        for column in template_columns(kind=kind, identifier=identifier, custom_keys=custom_keys):
            builtin = BUILTIN_BY_NAME.get(column.name)
            if builtin is None:
                if "profile" not in self.value_fields:
                    self.value_fields.append("profile")
                position = self.value_fields.index("profile")
                field = ProfileKeyField(position, column.name, column.type)
            else:
                field = CustomerField(
                    len(self.value_fields), builtin.field, column.name, column.type
                )
                self.value_fields.append(builtin.field)
            self.fields[column.name] = field

    def export_rows(self, rows: Iterable[tuple]) -> Iterator[list[str]]:
        """Each customer's cells in the export's column order, one row at a time."""
        readers = [(field.read, field.widget.format) for field in self.get_export_fields()]
        for row in rows:
            yield [format_(read(row)) for read, format_ in readers]
