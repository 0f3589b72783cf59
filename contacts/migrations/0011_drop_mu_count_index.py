"""customer_mu_idx dropped: the MU counter (0009) answers the count, and a fresh count
(mu_recount) reads customer_listed_idx, which holds the same customers (R-M1).

Decisions:
- One index fewer to write for every customer an import creates or changes. On 300,000 demo
  customers it added 0.18 s to an insert and 0.40 s to an update of all of them
  (bench/search_index_cost.py); a fresh count of a million takes 65-80 ms through
  customer_listed_idx against 31 ms through it, and runs only after a large import and from
  the mu_recount command.
- Dropping an index neither rebuilds the SQLite table nor touches the MU triggers on it.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0010_search_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='customer',
            name='customer_mu_idx',
        ),
    ]
