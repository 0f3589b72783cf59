"""Header-row cleaning: trimmed names, a name for blank headers, unique names."""

from collections.abc import Sequence


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> "A", 26 -> "AA")."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


MESSAGE_LIST_ITEMS = 10
MESSAGE_NAME_CHARACTERS = 60


def column_label(index: int, headers: Sequence[str]) -> str:
    """A column as a message names it: its letter, and its header when it has one."""
    letter = column_letter(index)
    return f'{letter} ("{_short(headers[index])}")' if index < len(headers) else letter


def quoted_list(names: Sequence[str]) -> str:
    """Names for a message, quoted: the first ten, then how many more ("and 15,990 more")."""
    listed = ", ".join(f'"{_short(name)}"' for name in names[:MESSAGE_LIST_ITEMS])
    more = len(names) - MESSAGE_LIST_ITEMS
    return f"{listed} and {more:,} more" if more > 0 else listed


def _short(name: str) -> str:
    if len(name) <= MESSAGE_NAME_CHARACTERS:
        return name
    return name[: MESSAGE_NAME_CHARACTERS - 1] + "…"


def clean_headers(raw: Sequence[str]) -> list[str]:
    """Trim header names, name blank ones "Column C" and make duplicates "email (2)"."""
    names = [cell.strip() or f"Column {column_letter(i)}" for i, cell in enumerate(raw)]
    # Comparison ignores case because mapping to profile keys does; the first occurrence of a
    # name keeps it, and a suffix never takes a name that appears in the file itself.
    taken = {name.casefold() for name in names}
    seen: set[str] = set()
    cleaned = []
    for name in names:
        key = name.casefold()
        if key in seen:
            suffix = 2
            while f"{key} ({suffix})" in taken:
                suffix += 1
            name = f"{name} ({suffix})"
            key = name.casefold()
            taken.add(key)
        seen.add(key)
        cleaned.append(name)
    return cleaned
