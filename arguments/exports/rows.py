"""Inserting the many rows of an imported map.

bulk_create() spends most of a large import on Python, not on the database: it builds a model
instance per row and then prepares every field of every row for the database one value at a time
(bench/interchange.py measures it). The importers already hold checked, plain values, so insert_rows() prepares the
values that are the same in every row (the map, the owner, defaults, auto_now times) once, and sends
the rest as they are in multi-row INSERTs, batched as bulk_create batches them. The database still
checks every constraint; nothing is written outside the caller's transaction.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import AutoField, Model

# Fields whose Python values (str, int, float, bool, None) the database drivers take as they are.
PLAIN_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence], **same: Any) -> list[int]:
    """Insert one `model` row per item of `rows` and return the new primary keys, in order.

    `columns` names (by attname, "claim_id") the fields each row gives; `same` gives fields with one
    value for every row; any other field takes its default, or for auto_now(_add) the time now, as
    bulk_create() would give it.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:  # not SQLite >= 3.35 nor PostgreSQL
        objects = model.objects.bulk_create(model(**same, **dict(zip(columns, row, strict=True))) for row in rows)
        return [obj.pk for obj in objects]
    opts = model._meta
    given = [opts.get_field(name) for name in columns]
    fixed, fresh = _other_fields(model, given, same, connection)
    prepare = [None if field.get_internal_type() in PLAIN_TYPES else field.get_db_prep_save for field in given]
    if any(prepare):
        rows = [[v if p is None else p(v, connection) for v, p in zip(row, prepare, strict=True)] for row in rows]
    order = [*given, *fresh, *fixed]
    constant = list(fixed.values())
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in order)}) VALUES "
    tail = f" RETURNING {qn(opts.pk.column)}"
    one = "(" + ", ".join(["%s"] * len(order)) + ")"
    size = max(connection.ops.bulk_batch_size(order, rows), 1)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            if fresh:
                batch = [(*row, *(f.get_db_prep_save(f.get_default(), connection) for f in fresh)) for row in batch]
            params = [value for row in batch for value in (*row, *constant)]
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def _other_fields(model: type[Model], given: list, same: dict, connection) -> tuple[dict, list]:
    """The fields no row gives: those with one value for all rows, ready for the database, and
    those whose default is made anew for each row (a token, a fresh dict)."""
    template = model(**same)
    fixed, fresh = {}, []
    for field in model._meta.concrete_fields:
        if field.generated or isinstance(field, AutoField) or field in given:
            continue
        if field.has_default() and callable(field.default) and not {field.name, field.attname} & same.keys():
            fresh.append(field)
            continue
        value = field.pre_save(template, add=True)  # the default, or now for auto_now(_add)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"insert_rows cannot write the database default of {field}")
        fixed[field] = field.get_db_prep_save(value, connection)
    return fixed, fresh
