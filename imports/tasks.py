"""django-q2 entry points: plain arguments in (ids, never objects), one service call each."""

from contacts.services import customer_table_upkeep
from imports.checking import import_check_perform
from imports.recovery import import_sweep
from imports.running import import_run


def run_import_task(import_id: int) -> None:
    """Run or resume one import (R-I16: the service refuses to run it twice at once)."""
    import_run(import_id=import_id)


def check_import_task(import_id: int) -> None:
    """The wizard's dry run of a draft import (R-I11), followed on its page."""
    import_check_perform(import_id=import_id)


def customer_table_upkeep_task(channel_id: int | None = None) -> None:
    """After a large import: the table's statistics and visibility map; the MU counter checked."""
    customer_table_upkeep(channel_ids=[channel_id] if channel_id is not None else [])


def import_sweep_task() -> None:
    """The sweep's schedule: queue again what a dead worker left behind."""
    import_sweep()
