"""The contact list's search box: what a query matches, as filters the database can index.

Decisions where the issue leaves a choice:

- The query's shape picks the keys. With an ``@`` it is the start of an email (emails are stored
  lowercased). Starting with ``+`` and made of digits and phone punctuation, it is the start of a
  mobile number in E.164 (the national trunk ``0`` after the country code dropped, as parsing a
  whole number drops it), or an exact memberId. Anything else is an exact memberId, the name
  (its start for one character, any part of it from two: a Korean given name such as ``민준`` is
  two syllables after the family name), or, without spaces and with a dot, an underscore or a
  digit (``kim.l``, ``minjun_2``), the start of an email. A plain word such as ``Jos`` is not
  also read as an email start: the addresses it would add are mostly those of the same people,
  whose names it matches, and with an import tag beside it that lookup (a btree range ANDed
  with the tag's GIN) was most of the page's database time.
- Names match ignoring case, as Django's ``istartswith`` / ``icontains`` do: ``UPPER(name)
  LIKE UPPER(...)`` on PostgreSQL, which is the expression the trigram index holds.
- A two-character query has no trigram, so pg_trgm would read its whole index. On PostgreSQL it
  is looked up as a member of ``customer_name_bigrams(name)`` (the upper-cased name's
  two-character pieces, a function of migration 0009 with its own GIN column), which is exactly
  the same set of customers.
- A search comes in two forms that match the same customers: ``lookups``, one per key in the
  form its index serves (a bigram, a trigram LIKE, a pattern-ops prefix, an equality), and
  ``scan``, the cheapest per-row test of them all for a plan that walks the list in id order (a
  LIKE, never the bigram function). Kept apart, each key's lookup can be intersected with an
  import tag inside one GIN scan, which their OR would prevent.
- ``is_estimated`` says whether PostgreSQL's statistics can be trusted to choose between walking
  and looking up (email and mobile prefixes, exact memberId: btree ranges and equality). Name
  parts and import tags are not (see ``contacts.selectors``).
"""

import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce

import phonenumbers
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db import connection
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import Upper
from phonenumbers.phonemetadata import PhoneMetadata

from contacts import profile_types
from contacts.models import name_bigrams

# "+", then at least one digit among digits and phone punctuation.
_PHONE_START_RE = re.compile(r"\+[\d\s().-]*\d[\d\s().-]*")
_MIN_FULL_NUMBER_DIGITS = 7
_COUNTRY_CODES = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@dataclass(frozen=True)
class Search:
    """What a search matches: one lookup per key (each served by its index), one per-row test."""

    lookups: tuple[Q, ...]
    scan: Q
    is_estimated: bool

    @property
    def lookup(self) -> Q:
        """Every key's lookup in one filter."""
        return reduce(operator.or_, self.lookups)


def mobile_prefix(query: str) -> str | None:
    """The start of an E.164 mobile number the query stands for, or None if not phone-like."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not _PHONE_START_RE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) >= _MIN_FULL_NUMBER_DIGITS:
        try:
            return profile_types.parse(profile_types.PHONE, text) or None
        except profile_types.ProfileValueError:
            pass
    country_code = next((digits[:n] for n in (1, 2, 3) if digits[:n] in _COUNTRY_CODES), None)
    if country_code is None:
        return "+" + digits
    national = digits[len(country_code) :]
    region = phonenumbers.region_code_for_country_code(int(country_code))
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is not None and metadata.national_prefix == "0" and national.startswith("0"):
        national = national[1:]
    return f"+{country_code}{national}"


def customer_search(query: str) -> Search | None:
    """The filters of a search box query; None when the query is empty."""
    text = query.strip()
    if not text:
        return None
    if "@" in text:
        email = Q(email__startswith=text.lower())
        return Search(lookups=(email,), scan=email, is_estimated=True)
    mobile = mobile_prefix(text)
    if mobile is not None:
        keys = (Q(mobile_number__startswith=mobile), Q(member_id=text))
        return Search(lookups=keys, scan=keys[0] | keys[1], is_estimated=True)
    others: tuple[Q, ...] = (Q(member_id=text),)
    if _looks_like_email_start(text):
        others += (Q(email__startswith=text.lower()),)
    name = Q(name__istartswith=text) if len(text) == 1 else Q(name__icontains=text)
    scan = reduce(operator.or_, others, name)
    if len(text) == 2 and connection.vendor == "postgresql":
        name = Q(_has_bigram(text))
    return Search(lookups=(name, *others), scan=scan, is_estimated=False)


def _looks_like_email_start(text: str) -> bool:
    """No space, and a dot, underscore or digit, which names seldom hold and addresses often do."""
    return not any(ch.isspace() for ch in text) and any(ch in "._" or ch.isdigit() for ch in text)


def _has_bigram(text: str) -> DataContains:
    """`customer_name_bigrams(name) @> ARRAY[UPPER(text)]`: served by the search GIN index."""
    bigram = Func(
        Upper(Value(text, output_field=TextField())),
        template="ARRAY[%(expressions)s]",
        output_field=ArrayField(TextField()),
    )
    return DataContains(name_bigrams(), bigram)
