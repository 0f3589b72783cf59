"""What the mapping page shows of a draft: its columns with samples, the keys, the choices made.

Decisions:
- Form fields are named by column position (``col-3``), not header: headers may repeat or hold
  any text, positions do not.
- The column mapped to the import's identifier key (memberId, email or mobileNumber) is listed
  first and fixed: changing it is changing the kind of import, done on the start page.
- Choices come from the posted form while the manager works, else from the stored mapping,
  else from the engine's proposals (exact matches and suggestions, R-I5).
"""

from imports import selectors
from imports.engine import mapping as mapping_engine
from imports.models import Import

SAMPLES = 3
PREVIEW_ROWS = 30


class MappingPage:
    """The columns of a draft import with their samples, key choices and current selection."""

    def __init__(self, imp: Import, data=None, select: dict[int, str] | None = None) -> None:
        headers, preview = selectors.import_preview(imp, PREVIEW_ROWS)
        self.headers = headers
        self.preview = [(number, cells) for number, cells, _ in preview]
        self.identifier_key = (
            mapping_engine.MEMBER_ID
            if imp.kind == Import.Kind.MEMBER
            else mapping_engine.IDENTIFIER_KEYS[imp.identifier]
        )
        self.keys = [
            key
            for key in mapping_engine.available_keys(
                selectors.custom_keys(imp.channel), imp.new_keys
            )
            if key.is_mappable
            and not key.is_system
            and not (imp.kind == Import.Kind.LEAD and key.name == mapping_engine.MEMBER_ID)
        ]
        proposals = mapping_engine.propose(headers, self.keys, kind=imp.kind)
        self.how = {
            i: proposals[h].how if h in proposals and proposals[h].key else ""
            for i, h in enumerate(headers)
        }
        if data is not None:
            chosen = {i: data.get(f"col-{i}", "") for i in range(len(headers))}
        elif imp.mapping:
            chosen = {i: imp.mapping.get(h, "") for i, h in enumerate(headers)}
        else:
            chosen = {
                i: (proposals[h].key or "") if h in proposals else "" for i, h in enumerate(headers)
            }
        chosen.update(select or {})
        self.chosen = chosen

    def header(self, index: int) -> str:
        return self.headers[index] if 0 <= index < len(self.headers) else ""

    def choices(self) -> tuple[dict[str, str], list[str]]:
        """The manager's choices as the services take them: header -> key, and skipped headers."""
        explicit = {self.headers[i]: key for i, key in self.chosen.items() if key}
        skip = [self.headers[i] for i, key in self.chosen.items() if not key]
        return explicit, skip

    def rows(self) -> list[dict]:
        """One row per column, the identifier's first, each with its options marked if taken."""
        taken: dict[str, str] = {}
        for index, key in self.chosen.items():
            taken.setdefault(key, self.headers[index])
        rows = []
        for index, header in enumerate(self.headers):
            key = self.chosen[index]
            samples = [
                c for c in (cells[index] for _, cells in self.preview if index < len(cells)) if c
            ]
            rows.append(
                {
                    "index": index,
                    "header": header,
                    "samples": samples[:SAMPLES],
                    "key": key,
                    "how": self.how[index] if key and self.how[index] else "",
                    "fixed": key == self.identifier_key,
                    "options": [
                        (k, taken[k.name] if taken.get(k.name, header) != header else "")
                        for k in self.keys
                    ],
                }
            )
        rows.sort(key=lambda row: not row["fixed"])
        return rows

    def has_identifier(self) -> bool:
        return self.identifier_key in self.chosen.values()

    def opt_outs_mapped(self) -> bool:
        """Whether both opt-out keys take a column (R-I7): then the choice is only for empties."""
        chosen = set(self.chosen.values())
        return {"unsubscribeEmail", "unsubscribeTexting"} <= chosen
