"""JSON text of stored customer values, fast: orjson, with the json module where orjson errs.

Decisions:
- orjson takes a fraction of the json module's time (bench/README.md), and an import encodes
  and decodes every profile it loads or writes.
- orjson refuses integers past 64 bits and reads a long run of digits as a float; the json
  module takes those values, so nothing a profile can hold is refused or rounded.
"""

import json
import re

import orjson

_json_encode = json.JSONEncoder(ensure_ascii=False).encode
# A run of digits that long may be an integer past 64 bits, which orjson reads as a float.
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def dumps(value) -> str:
    """JSON text of a stored value."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _json_encode(value)


def loads(text: str):
    """A stored JSON value, integers of any size kept exact."""
    if _LONG_DIGITS.search(text) is None:
        return orjson.loads(text)
    return json.loads(text)
