"""The phone fast path: the E.164 of numbers phonenumbers would certainly call valid, without it.

Speed code kept apart from the phone rule (`contacts.profile_phones`), behind two functions whose
every answer is the library's own or "ask the library" (None, False). The tests compare both
paths on every region's example numbers written in many forms.

Decisions:
- Only the verdict "valid" of the country code's main region is mirrored (``parse``,
  ``region_code_for_number``, ``_number_type_helper``): ``is_valid_number`` checks that region
  when its leading digits match (or it has none and the number is valid there), and valid
  there means the general pattern and a type pattern match. Only fixed line and mobile are
  tried; every other outcome is left to the library. A region without possible lengths is
  left to it too: there "valid" might not imply "possible".
- Of the national prefix only a plain trunk "0" is mirrored (``parse``,
  ``_maybe_strip_national_prefix_carrier_code``): no carrier code, and with a transform rule
  only when its last group captured nothing, which is when the library strips instead of
  transforming. The "0" is dropped when the rest has a possible length of the region (then
  ``_test_number_length`` says IS_POSSIBLE; possible and local-only lengths never overlap) and
  matches the general pattern (if not, the library may keep the "0", and the number is not
  valid there anyway). A leading zero kept after the country code (Italy) is the library's.
- By national number length, one pattern matches exactly what the general pattern and a type
  pattern of that length both match, and a number's first three digits find its country code
  (country codes are prefix-free) and rule in one lookup: one regular expression and one
  lookup a number instead of three each. Rules are built on first use and kept.
"""

import re
from typing import Final, NamedTuple

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

_COUNTRY_CODES: Final = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


class NumberPattern(NamedTuple):
    """A phonenumbers number description, precompiled."""

    lengths: frozenset[int]
    pattern: re.Pattern[str] | None


class FastRule(NamedTuple):
    """What the fast path mirrors of a country code's main region."""

    national_prefix: re.Pattern[str] | None  # the region's national prefix for parsing
    leading_digits: re.Pattern[str] | None  # when the country code has several regions
    general: NumberPattern
    drops_trunk_zero: bool  # national prefix "0": a plain trunk "0" may be dropped
    has_transform_rule: bool  # the region has a national prefix transform rule
    valid_by_length: dict[int, re.Pattern[str]]  # "valid" by national number length


class CountryPrefix(NamedTuple):
    """What a number's first three digits tell: its country code's length and rule."""

    size: int
    rule: FastRule


_FAST_RULES: dict[str, FastRule | None] = {}
# The length of the country code that starts each three digits (country codes are prefix-free).
_COUNTRY_CODE_SIZE: Final = {
    prefix: size
    for prefix in (str(n) for n in range(100, 1000))
    for size in (1, 2, 3)
    if prefix[:size] in _COUNTRY_CODES
}


class _CountryPrefixes(dict[str, CountryPrefix | None]):
    """Filled on first use (at most 1,000 keys: a number's first three ASCII digits)."""

    def __missing__(self, digits: str) -> CountryPrefix | None:
        found = self[digits] = _country_prefix(digits)
        return found


_COUNTRY_PREFIXES: Final = _CountryPrefixes()


def fast_e164(digits: str) -> str | None:
    """The library's E.164 of "+<digits>" (7 to 16 ASCII digits) if surely valid; None: ask it."""
    found = _COUNTRY_PREFIXES[digits[:3]]
    if found is None:
        return None
    size, rule = found
    nsn = digits[size:]
    prefix = rule.national_prefix
    match = prefix.match(nsn) if prefix is not None else None
    if match is not None:
        # parse() would strip a national prefix; only a plain trunk "0" is mirrored here.
        nsn = _without_trunk_zero(rule, nsn, match)  # type: ignore[assignment]
        if nsn is None:
            return None
        digits = digits[:size] + nsn
    elif nsn[0] == "0":
        return None  # kept as an Italian leading zero; let the library judge it
    if len(digits) > 15 or not _is_fast_valid(rule, nsn):
        return None
    return "+" + digits


def is_surely_valid(country_code: int, nsn: str) -> bool:
    """True only if the library deems the national number possible and valid; False: ask it."""
    rule = _rule_for(str(country_code))
    return rule is not None and _is_fast_valid(rule, nsn)


def _number_pattern(desc: object) -> NumberPattern | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern  # type: ignore[attr-defined]
    lengths = frozenset(desc.possible_length)  # type: ignore[attr-defined]
    return NumberPattern(lengths, re.compile(pattern) if pattern else None)


def _fast_rule(country_code: str) -> FastRule | None:
    """The main region's metadata, precompiled; None means: always ask the library."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[int(country_code)]
    region = regions[0]
    if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return None
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.general_desc is None:
        return None
    general = _number_pattern(metadata.general_desc)
    if general is None or not general.lengths or general.pattern is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    leading = metadata.leading_digits if len(regions) > 1 else None
    mobile = (
        None if metadata.same_mobile_and_fixed_line_pattern else _number_pattern(metadata.mobile)
    )
    return FastRule(
        national_prefix=re.compile(prefix) if prefix else None,
        leading_digits=re.compile(leading) if leading else None,
        general=general,
        drops_trunk_zero=metadata.national_prefix == "0" and bool(prefix),
        has_transform_rule=bool(metadata.national_prefix_transform_rule),
        valid_by_length=_valid_patterns(general, mobile, _number_pattern(metadata.fixed_line)),
    )


def _valid_patterns(
    general: NumberPattern, *types: NumberPattern | None
) -> dict[int, re.Pattern[str]]:
    """By length, one pattern matching what the general pattern and a type pattern both match."""
    patterns = {}
    for length in general.lengths:
        alternatives = [
            pattern.pattern
            for type_lengths, pattern in filter(None, types)
            if pattern is not None and (not type_lengths or length in type_lengths)
        ]
        if alternatives:
            either = "|".join(f"(?:{pattern})" for pattern in alternatives)
            patterns[length] = re.compile(
                f"(?=(?:{general.pattern.pattern})\\Z)(?:{either})"  # type: ignore[union-attr]
            )
    return patterns


def _rule_for(country_code: str) -> FastRule | None:
    try:
        return _FAST_RULES[country_code]
    except KeyError:
        rule = _FAST_RULES[country_code] = _fast_rule(country_code)
        return rule


def _is_fast_valid(rule: FastRule, nsn: str) -> bool:
    leading = rule.leading_digits
    if leading is not None and not leading.match(nsn):
        return False
    pattern = rule.valid_by_length.get(len(nsn))
    return pattern is not None and pattern.fullmatch(nsn) is not None


def _without_trunk_zero(rule: FastRule, nsn: str, match: re.Match[str]) -> str | None:
    """The national number parse() keeps once its prefix pattern matched; None: ask the library."""
    if not rule.drops_trunk_zero or match.end() != 1 or nsn[0] != "0":
        return None
    groups = match.re.groups
    if rule.has_transform_rule and (not groups or match.group(groups) is not None):
        return None
    rest = nsn[1:]
    lengths, pattern = rule.general
    if len(rest) not in lengths or rest[0] == "0" or not pattern.fullmatch(rest):  # type: ignore[union-attr]
        return None
    return rest


def _country_prefix(digits: str) -> CountryPrefix | None:
    size = _COUNTRY_CODE_SIZE.get(digits)
    if size is None:
        return None
    rule = _rule_for(digits[:size])
    return None if rule is None else CountryPrefix(size, rule)
