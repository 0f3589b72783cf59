"""Map a file's columns to profile keys (R-I1, R-I5). Pure: no Django imports.

A header equal to a key's name or label (ignoring case, spaces and ``_``) maps by itself; every
other column must be mapped or skipped explicitly. ``propose`` goes further for the mapping
page: it also suggests keys by synonym (``synonyms.py``) or by a near match of a key's name or
label. Refusals are module constants naming the column, so the manager knows what to change.

Decisions where the rules leave room:
- System keys and ``userImportTag`` never map by themselves: a column named ``createdAt`` (say,
  from an export) is listed as unmatched, to be skipped; mapping it explicitly is refused.
- "A member column in a lead import and the reverse" (R-I1): a lead import refuses a memberId
  column, and ``propose`` never suggests memberId to one. A member import may carry emails and
  mobile numbers (members have contacts), so the reverse is the member import without a
  memberId column: refused with a hint to import the file as leads.
- The failed-rows file's first three columns (``rowNumber``, ``errorColumns``,
  ``errorReasons``) are skipped by themselves, so that file uploads again as it is (R-I14).
- A new key whose name already exists as a custom key of the same type is reused (running the
  same command twice works); with another type it is refused.
- Only exact matches map by themselves (``resolve``, used as it is by the command line): a
  suggestion is a guess the manager confirms. The refusal of unmatched columns proposes the
  ``--map``/``--skip`` options for each (a suggested key, else skip), ten at most; the mapping
  page never meets it, as it sends every column mapped or skipped.
- A synonym and a near match to a custom key fit equally: a header both reach (``Customer-ID``
  with a custom key ``customer_id``; ``Cell`` with a custom key labelled "Cell #") gets no
  proposal, and so does a header that matches two keys exactly.
- Two headers proposing one key: an exact match keeps it, else the first header; the other gets
  no proposal (R-I5: a key takes at most one column).
"""

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from contacts import profile_types
from contacts.keys import BUILTIN_KEYS, key_matches_header

from .headers import quoted_list
from .synonyms import SYNONYM_KEYS, fold

MEMBER = "member"
LEAD = "lead"
KINDS = (MEMBER, LEAD)
BY_EMAIL = "email"
BY_MOBILE = "mobile"
IDENTIFIERS = (BY_EMAIL, BY_MOBILE)
IDENTIFIER_KEYS = {BY_EMAIL: "email", BY_MOBILE: "mobileNumber"}
MEMBER_ID = "memberId"
IMPORT_TAG_KEY = "userImportTag"
FAILURE_COLUMNS = ("rowNumber", "errorColumns", "errorReasons")

KIND_UNKNOWN = "Choose what the file holds: members or leads."
IDENTIFIER_UNKNOWN = "A lead import identifies customers by email or by mobile number: choose one."
IDENTIFIER_FOR_MEMBERS = (
    "A member import identifies customers by memberId; the email/mobile choice is for leads."
)
MEMBER_ID_UNMAPPED = (
    "A member import needs a column mapped to memberId, and none of the columns ({columns}) "
    "is. Map the member ID column, or import the file as leads if it has no member IDs."
)
LEAD_IDENTIFIER_UNMAPPED = (
    "A lead import by {identifier} needs a column mapped to {key}, and none of the columns "
    "({columns}) is. Map that column, or choose the other identifier."
)
MEMBER_ID_IN_LEAD_IMPORT = (
    'Column "{column}" is mapped to memberId, but this is a lead import. Import the file as '
    "members, or skip the column."
)
KEY_MAPPED_TWICE = (
    'Columns "{first}" and "{second}" are both mapped to {key}; a profile key takes at most one '
    "column. Skip one of them."
)
SYSTEM_KEY_MAPPED = (
    'Column "{column}" is mapped to {key}, a system key that imports cannot write. Skip the column.'
)
IMPORT_TAG_MAPPED = (
    'Column "{column}" is mapped to userImportTag; import tags come from the import\'s own tag. '
    "Skip the column."
)
UNKNOWN_KEY = (
    'Column "{column}" is mapped to "{key}", which is not a profile key of this channel. '
    "Create it as a new key, or map the column to another key."
)
UNKNOWN_COLUMN = 'The file has no column "{column}". Its columns are: {columns}.'
UNMATCHED_COLUMNS = (
    "These columns match no profile key: {columns}. Map each of them to a profile key, or skip "
    "it. Proposed: {options}"
)
AND_MORE = "and {count} more"
MAX_LISTED = 10
EXACT = "exact"
SUGGESTED = "suggested"
NEW_KEY_INVALID = 'New key "{key}": {reason}.'
NEW_KEY_TYPE_UNKNOWN = 'New key "{key}": the type "{type}" is unknown; choose one of {types}.'
NEW_KEY_BUILTIN = 'New key "{key}" is the name of a built-in profile key; map the column to it.'
NEW_KEY_TYPE_CLASH = (
    'New key "{key}" already exists with the type {existing}; map the column to it, or choose '
    "another name."
)


class MappingError(ValueError):
    """The mapping cannot be used; ``message`` names the column and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A profile key as the mapping sees it: built-in (with its Customer field) or custom."""

    name: str
    label: str
    type: str
    field: str | None = None  # the Customer field of a built-in key; None: a custom key
    is_system: bool = False
    is_mappable: bool = True


BUILTIN_KEY_INFOS: tuple[KeyInfo, ...] = tuple(
    KeyInfo(k.name, k.label, k.type, k.field, k.is_system, k.is_mappable) for k in BUILTIN_KEYS
)


@dataclass(frozen=True, slots=True)
class Column:
    """One imported column: its position in the row, its header and its profile key."""

    index: int
    header: str
    key: str
    type: str
    field: str | None  # Customer field of a built-in key, None for a custom key


@dataclass(frozen=True)
class ImportMapping:
    """A checked mapping: the import's kind, its identifier key and the imported columns."""

    kind: str
    identifier_key: str  # memberId, email or mobileNumber
    columns: tuple[Column, ...]
    skipped: tuple[str, ...]
    new_keys: dict[str, str]

    def as_dict(self) -> dict[str, str]:
        """Header -> key, in file order: what ``Import.mapping`` stores."""
        return {column.header: column.key for column in self.columns}


def available_keys(custom: Iterable[KeyInfo], new_keys: Mapping[str, str]) -> list[KeyInfo]:
    """The built-in keys, the channel's custom keys and the keys the import creates."""
    keys = list(BUILTIN_KEY_INFOS)
    known = {k.name for k in keys}
    for key in custom:
        keys.append(key)
        known.add(key.name)
    for name, type_name in new_keys.items():
        if name not in known:
            keys.append(KeyInfo(name, name, type_name))
    return keys


def check_new_keys(new_keys: Mapping[str, str], custom: Iterable[KeyInfo]) -> None:
    """Refuse invalid new keys: bad name or type, a built-in name, an existing other type."""
    builtin = {k.name.casefold() for k in BUILTIN_KEY_INFOS}
    existing = {k.name.casefold(): k for k in custom}
    for name, type_name in new_keys.items():
        try:
            profile_types.validate_key_name(name)
        except profile_types.ProfileValueError as error:
            raise MappingError(NEW_KEY_INVALID.format(key=name, reason=error.reason)) from None
        if type_name not in profile_types.TYPES:
            raise MappingError(
                NEW_KEY_TYPE_UNKNOWN.format(
                    key=name, type=type_name, types=", ".join(profile_types.TYPES)
                )
            )
        if name.casefold() in builtin:
            raise MappingError(NEW_KEY_BUILTIN.format(key=name))
        same = existing.get(name.casefold())
        if same is not None and same.type != type_name:
            raise MappingError(NEW_KEY_TYPE_CLASH.format(key=same.name, existing=same.type))


def _mappable(keys: Iterable[KeyInfo]) -> list[KeyInfo]:
    return [k for k in keys if k.is_mappable and not k.is_system]


def _is_failure_column(header: str) -> bool:
    return any(key_matches_header(name, name, header) for name in FAILURE_COLUMNS)


def suggest(headers: Sequence[str], keys: Sequence[KeyInfo]) -> dict[str, str | None]:
    """Header -> the key it maps to by itself, or None; failed-rows columns are left out."""
    candidates = _mappable(keys)
    suggestion: dict[str, str | None] = {}
    for header in headers:
        if _is_failure_column(header):
            continue
        match = next(
            (k.name for k in candidates if key_matches_header(k.name, k.label, header)), None
        )
        suggestion[header] = match
    return suggestion


@dataclass(frozen=True, slots=True)
class Proposal:
    """The key proposed for a header and how it was found (EXACT, SUGGESTED); None: none."""

    key: str | None
    how: str | None


NO_PROPOSAL = Proposal(None, None)


def propose(
    headers: Sequence[str], keys: Sequence[KeyInfo], *, kind: str | None = None
) -> dict[str, Proposal]:
    """Header -> proposal: exact, else by synonym or near match; failed-rows columns left out."""
    candidates = _mappable(keys)
    folded_keys = [
        (k.name, {fold(k.name), fold(k.label)})
        for k in candidates
        if not (kind == LEAD and k.name == MEMBER_ID)
    ]
    suggestable = {name for name, _ in folded_keys}
    found: dict[str, Proposal] = {}
    for header in headers:
        if _is_failure_column(header):
            continue
        exact = {k.name for k in candidates if key_matches_header(k.name, k.label, header)}
        if exact:
            found[header] = Proposal(exact.pop(), EXACT) if len(exact) == 1 else NO_PROPOSAL
            continue
        folded = fold(header)
        near = {name for name, forms in folded_keys if folded in forms}
        near.update(k for k in SYNONYM_KEYS.get(folded, ()) if k in suggestable)
        found[header] = Proposal(near.pop(), SUGGESTED) if len(near) == 1 else NO_PROPOSAL
    taken: set[str] = set()
    for how in (EXACT, SUGGESTED):
        for header, proposal in found.items():
            if proposal.how != how:
                continue
            if proposal.key in taken:
                found[header] = NO_PROPOSAL
            else:
                taken.add(proposal.key)  # type: ignore[arg-type]
    return found


def _capped(items: Sequence[str], separator: str) -> str:
    shown = separator.join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return f"{shown} {AND_MORE.format(count=more)}" if more > 0 else shown


def _option(flag: str, value: str) -> str:
    """A command-line option a shell takes as it is written."""
    if any(c in value for c in '"\\$`!'):
        return f"{flag} {shlex.quote(value)}"
    return f'{flag} "{value}"'


def _unmatched_refusal(
    unmatched: Sequence[str], keys: Sequence[KeyInfo], kind: str, taken: set[str]
) -> str:
    """UNMATCHED_COLUMNS with the --map or --skip option proposed for each column."""
    options = []
    for header, proposal in propose(unmatched, keys, kind=kind).items():
        if proposal.key is not None and proposal.key not in taken:
            options.append(_option("--map", f"{header}={proposal.key}"))
        else:
            options.append(_option("--skip", header))
    return UNMATCHED_COLUMNS.format(
        columns=_capped([f'"{h}"' for h in unmatched], ", "), options=_capped(options, " ")
    )


def _find_header(headers: Sequence[str], wanted: str) -> str:
    if wanted in headers:
        return wanted
    folded = wanted.strip().casefold()
    for header in headers:
        if header.casefold() == folded:
            return header
    raise MappingError(UNKNOWN_COLUMN.format(column=wanted, columns=quoted_list(headers)))


def _find_key(by_name: Mapping[str, KeyInfo], wanted: str) -> KeyInfo | None:
    key = by_name.get(wanted)
    if key is not None:
        return key
    folded = wanted.strip().casefold()
    return next((k for name, k in by_name.items() if name.casefold() == folded), None)


def resolve(
    *,
    headers: Sequence[str],
    custom_keys: Iterable[KeyInfo],
    kind: str,
    identifier: str | None,
    explicit: Mapping[str, str] | None = None,  # header -> key name
    skip: Iterable[str] = (),  # headers not to import
    new_keys: Mapping[str, str] | None = None,  # new custom key name -> type
) -> ImportMapping:
    """The mapping the manager's choices make of the headers; MappingError names the column."""
    if kind not in KINDS:
        raise MappingError(KIND_UNKNOWN)
    if kind == LEAD and identifier not in IDENTIFIERS:
        raise MappingError(IDENTIFIER_UNKNOWN)
    if kind == MEMBER and identifier:
        raise MappingError(IDENTIFIER_FOR_MEMBERS)
    custom_keys = list(custom_keys)
    new_keys = dict(new_keys or {})
    check_new_keys(new_keys, custom_keys)
    keys = available_keys(custom_keys, new_keys)
    by_name = {k.name: k for k in keys}

    chosen: dict[str, str | None] = dict(suggest(headers, keys))
    for header in headers:
        if header not in chosen:  # a failed-rows column: skipped by itself
            chosen[header] = ""
    for header in skip:
        chosen[_find_header(headers, header)] = ""
    for header, key_name in (explicit or {}).items():
        header = _find_header(headers, header)
        key = _find_key(by_name, key_name)
        if key is None:
            raise MappingError(UNKNOWN_KEY.format(column=header, key=key_name))
        if key.is_system:
            raise MappingError(SYSTEM_KEY_MAPPED.format(column=header, key=key.name))
        if key.name == IMPORT_TAG_KEY:
            raise MappingError(IMPORT_TAG_MAPPED.format(column=header))
        chosen[header] = key.name

    unmatched = [h for h in headers if chosen[h] is None]
    if unmatched:
        taken = {key for key in chosen.values() if key}
        raise MappingError(_unmatched_refusal(unmatched, keys, kind, taken))

    columns: list[Column] = []
    taken: dict[str, str] = {}
    for index, header in enumerate(headers):
        key_name = chosen[header]
        if not key_name:
            continue
        if key_name in taken:
            raise MappingError(
                KEY_MAPPED_TWICE.format(first=taken[key_name], second=header, key=key_name)
            )
        taken[key_name] = header
        if kind == LEAD and key_name == MEMBER_ID:
            raise MappingError(MEMBER_ID_IN_LEAD_IMPORT.format(column=header))
        key = by_name[key_name]
        columns.append(Column(index, header, key.name, key.type, key.field))

    identifier_key = MEMBER_ID if kind == MEMBER else IDENTIFIER_KEYS[identifier]  # type: ignore[index]
    if identifier_key not in taken:
        listed = quoted_list(headers)
        if kind == MEMBER:
            raise MappingError(MEMBER_ID_UNMAPPED.format(columns=listed))
        raise MappingError(
            LEAD_IDENTIFIER_UNMAPPED.format(
                identifier=identifier, key=identifier_key, columns=listed
            )
        )
    used_new = {c.key for c in columns} & set(new_keys)
    return ImportMapping(
        kind=kind,
        identifier_key=identifier_key,
        columns=tuple(columns),
        skipped=tuple(h for h in headers if not chosen[h]),
        new_keys={name: new_keys[name] for name in new_keys if name in used_new},
    )


def rebuild(
    *,
    headers: Sequence[str],
    keys: Iterable[KeyInfo],
    kind: str,
    identifier: str | None,
    stored: Mapping[str, str],
) -> ImportMapping:
    """Rebuild a stored mapping (header -> key) against the file's headers when the run starts."""
    by_name = {k.name: k for k in keys}
    columns = []
    for header, key_name in stored.items():
        index = headers.index(_find_header(headers, header))
        key = by_name.get(key_name)
        if key is None:
            raise MappingError(UNKNOWN_KEY.format(column=header, key=key_name))
        columns.append(Column(index, headers[index], key.name, key.type, key.field))
    columns.sort(key=lambda c: c.index)
    identifier_key = MEMBER_ID if kind == MEMBER else IDENTIFIER_KEYS[identifier]  # type: ignore[index]
    mapped = {c.header for c in columns}
    return ImportMapping(
        kind=kind,
        identifier_key=identifier_key,
        columns=tuple(columns),
        skipped=tuple(h for h in headers if h not in mapped),
        new_keys={},
    )
