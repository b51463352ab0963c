"""The reader page's one row (map, source, the viewer's role, the newest event id) in one hand-written query.

A `304 Not Modified` answer of the reader is three queries: the session's, the user's and this one.
Built by the ORM this one took about 2.5 ms to compile and 0.1 ms to run (bench/reader.py on SQLite),
most of a 304; written out once per database connection alias, it takes 0.2 ms in all.
tests/test_reader_cache.py checks that it gives what `MapSource.objects.select_related(...)` gives.
"""

from django.db import connections, router

from sources.models import Source

from .models import ArgumentMap, Event, MapSource, Membership


class PageQuery:
    """Column lists come from the models, values go through the fields' converters as the ORM's
    would, and instances are made with from_db, so the objects are those the ORM gives. Parameters:
    the user id (None for visitors, which matches no membership), the map slug, the source slug.
    """

    SQL = """
        SELECT {map_columns}, {source_columns},
            (SELECT role FROM {membership} WHERE map_id = m.id AND user_id = %s LIMIT 1),
            (SELECT id FROM {event} WHERE map_id = m.id ORDER BY id DESC LIMIT 1)
        FROM {map_source} ms
            INNER JOIN {map} m ON m.id = ms.map_id
            INNER JOIN {source} s ON s.id = ms.source_id
        WHERE m.slug = %s AND s.slug = %s
    """
    _built: dict[str, "PageQuery"] = {}  # per database alias, made on first use

    def __init__(self, connection) -> None:
        self.alias = connection.alias
        self.map_fields = list(ArgumentMap._meta.concrete_fields)
        self.source_fields = [f for f in Source._meta.concrete_fields if f.name not in ("text", "original")]
        qn = connection.ops.quote_name
        self.sql = self.SQL.format(
            membership=qn(Membership._meta.db_table),
            event=qn(Event._meta.db_table),
            map_source=qn(MapSource._meta.db_table),
            map=qn(ArgumentMap._meta.db_table),
            source=qn(Source._meta.db_table),
            map_columns=", ".join(f"m.{qn(f.column)}" for f in self.map_fields),
            source_columns=", ".join(f"s.{qn(f.column)}" for f in self.source_fields),
        )
        # (position in the row, converter, its column) for each value that needs converting, e.g. dates on SQLite.
        self.converters = []
        fields = [("m", f) for f in self.map_fields] + [("s", f) for f in self.source_fields]
        for position, (table, field) in enumerate(fields):
            col = field.get_col(table)
            for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
                self.converters.append((position, converter, col))

    @classmethod
    def fetch(cls, user_pk: int | None, slug: str, source_slug: str):
        """(map, source, role, newest event id), or None when the map has no such source."""
        connection = connections[router.db_for_read(MapSource)]
        query = cls.for_connection(connection)
        with connection.cursor() as cursor:
            cursor.execute(query.sql, [user_pk, slug, source_slug])
            row = cursor.fetchone()
        return None if row is None else query.hydrate(row)

    @classmethod
    def for_connection(cls, connection) -> "PageQuery":
        if connection.alias not in cls._built:
            cls._built[connection.alias] = cls(connection)
        return cls._built[connection.alias]

    def hydrate(self, row: tuple) -> tuple[ArgumentMap, Source, str | None, int | None]:
        values = list(row)
        connection = connections[self.alias]
        for position, converter, col in self.converters:
            values[position] = converter(values[position], col, connection)
        split, end = len(self.map_fields), len(self.map_fields) + len(self.source_fields)
        argument_map = ArgumentMap.from_db(self.alias, [f.attname for f in self.map_fields], values[:split])
        source = Source.from_db(self.alias, [f.attname for f in self.source_fields], values[split:end])
        return argument_map, source, values[end], values[end + 1]
