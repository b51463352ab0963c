"""The reader page's one row (map, source, the viewer's role and user row, their session, the newest event id).

A `304 Not Modified` answer of the reader needs who is asking, the map and the source. Through the
ORM that was three queries (session, user, page), and compiling them took most of the time. Here it
is one statement written out once per database connection alias: when config/session_identity.py
can guess the session's user, the session row and that user row are joined in, and the guess is
then checked against them; otherwise Django loads the user and the statement joins the user row only.
tests/test_reader_cache.py checks that it gives what `MapSource.objects.select_related(...)` gives.

Two things keep the statement itself cheap (together they halved it, bench/reader.py):
- On SQLite, Python's sqlite3 module converts each plainly named column by its declared type (dates
  parsed in Python) before anything knows whether the value will be used, and a `304 Not Modified`
  uses none as an object. Each column is therefore selected as `+column` (SQLite's no-op operator,
  whose result has no declared type), and values are converted only when an object is made from them,
  by the same converters the ORM applies.
- When nothing watches queries (no DEBUG log, no test counting them, no execute wrapper), the
  statement runs on the driver's own cursor, without Django's cursor wrapper around it; when
  something does, it runs through Django's cursor, so it is logged and counted like any other.
"""

import time
from datetime import UTC, datetime
from functools import cached_property
from operator import itemgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections, router

from sources.models import Source

from .models import ArgumentMap, Event, MapSource, Membership, Visibility


class PageRow:
    """The page's row as the statement read it, and the map, source and user made from it when first used.

    A `304 Not Modified` needs none of the objects: the session's verdict is kept per rows' values
    (config/session_identity.verify_row), the role and visibility decide access, and the ETag is a hash
    of the values themselves (arguments/reader_cache.etag_for).
    """

    def __init__(self, query: "PageQuery", values: tuple) -> None:
        self._query = query
        self.values = values
        self.session_data, self.role, self.last_event_id = values[query.session_position :]

    @property
    def page_values(self) -> tuple:
        """Every value the page depends on, unconverted: all but the session's data."""
        position = self._query.session_position
        return self.values[:position] + self.values[position + 1 :]

    @property
    def frame_values(self) -> tuple:
        """The page's values but those that change with every edit of the map (its revision, the newest event)."""
        return self._query.frame_columns(self.values)

    @property
    def user_values(self) -> tuple:
        start, end = self._query.spans[2]
        return self.values[start:end]

    @property
    def map_is_public(self) -> bool:
        return self.values[self._query.visibility_position] == Visibility.PUBLIC

    @property
    def layer_identity(self) -> tuple:
        """reader_cache.layer_identity of the map and source, without making either into an object."""
        map_id, map_revision, source_id, source_revision, sha256 = self._query.layer_columns(self.values)
        created = self._query.converted(0, "created", self.values)
        return (map_id, map_revision, created.timestamp() if created else "", source_id, source_revision, sha256[:16])

    @cached_property
    def map(self) -> ArgumentMap:
        argument_map = self._query.instance(0, self.values)
        argument_map.last_event_id = self.last_event_id  # as arguments.access.get_map_for provides it
        return argument_map

    @cached_property
    def source(self) -> Source:
        return self._query.instance(1, self.values)

    @cached_property
    def user(self):
        """The user row asked for as a model instance; None when none was asked for or there is no such user."""
        user = self._query.instance(2, self.values)
        return user if user.pk is not None else None


class PageQuery:
    """Column lists come from the models, values go through the fields' converters as the ORM's
    would, and instances are made with from_db, so the objects are those the ORM gives. Parameters:
    the user id (None for visitors, which matches no membership and no user), the session key (or
    None) and the current time, the map's slug and the source's.
    """

    SQL = """
        SELECT {map_columns}, {source_columns}, {user_columns}, ss.session_data,
            (SELECT role FROM {membership} WHERE map_id = m.id AND user_id = %(user)s LIMIT 1),
            (SELECT id FROM {event} WHERE map_id = m.id ORDER BY id DESC LIMIT 1)
        FROM {map_source} ms
            INNER JOIN {map} m ON m.id = ms.map_id
            INNER JOIN {source} s ON s.id = ms.source_id
            LEFT JOIN {session} ss ON ss.session_key = %(session)s AND ss.expire_date > %(now)s
            LEFT JOIN {user} u ON u.{user_pk} = %(user)s
        WHERE m.slug = %(map)s AND s.slug = %(source)s
    """
    # Named parameters: SQLite's backend then fills in each name with plain string formatting, where
    # positional ones are found with a regular expression over the whole statement on every request.
    PARAMETERS = ("user", "session", "now", "map", "source")
    _built: dict[str, "PageQuery"] = {}  # per database alias, made on first use

    def __init__(self, connection) -> None:
        self.alias = connection.alias
        self.ops = connection.ops
        self._cutoff: tuple[int, object] = (0, None)  # (second, adapted), see session_cutoff
        user_model = get_user_model()
        self.models = (
            (ArgumentMap, list(ArgumentMap._meta.concrete_fields)),
            (Source, [f for f in Source._meta.concrete_fields if f.name not in ("text", "original")]),
            (user_model, list(user_model._meta.concrete_fields)),
        )
        qn = connection.ops.quote_name
        # "+column": the value as stored, unconverted by sqlite3 (see the module's docstring).
        raw = "+" if connection.vendor == "sqlite" else ""
        self.sql = self.SQL.format(
            membership=qn(Membership._meta.db_table),
            event=qn(Event._meta.db_table),
            map_source=qn(MapSource._meta.db_table),
            map=qn(ArgumentMap._meta.db_table),
            source=qn(Source._meta.db_table),
            session=qn(Session._meta.db_table),
            user=qn(user_model._meta.db_table),
            user_pk=qn(user_model._meta.pk.column),
            map_columns=", ".join(f"{raw}m.{qn(f.column)}" for f in self.models[0][1]),
            source_columns=", ".join(f"{raw}s.{qn(f.column)}" for f in self.models[1][1]),
            user_columns=", ".join(f"{raw}u.{qn(f.column)}" for f in self.models[2][1]),
        )
        # The statement as the driver takes it: SQLite's named parameters are ":name" (what Django's
        # SQLite cursor would turn "%(name)s" into on every call); psycopg takes "%(name)s" itself.
        self.driver_sql = {
            "sqlite": self.sql % {name: f":{name}" for name in self.PARAMETERS},
            "postgresql": self.sql,
        }.get(connection.vendor)
        # Per block of columns: (position in the block, converter, its column) for each value that needs
        # converting (dates on SQLite, say), and where the block lies in the row.
        self.converters, self.spans, start = [], [], 0
        for (_, fields), table in zip(self.models, ("m", "s", "u"), strict=True):
            block = []
            for position, field in enumerate(fields):
                col = field.get_col(table)
                for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
                    block.append((position, converter, col))
            self.converters.append(block)
            self.spans.append((start, start + len(fields)))
            start += len(fields)
        self.session_position = start
        self.attnames = [[f.attname for f in fields] for _, fields in self.models]
        self.visibility_position = self.position(0, "visibility")
        changing = {self.position(0, "revision"), self.position(0, "updated"), start, start + 2}  # + session, event
        self.frame_columns = itemgetter(*(i for i in range(start + 3) if i not in changing))
        named = [(0, "id"), (0, "revision"), (1, "id"), (1, "revision"), (1, "sha256")]
        self.layer_columns = itemgetter(*(self.position(index, attname) for index, attname in named))

    def position(self, index: int, attname: str) -> int:
        """Where the index'th block's column for `attname` is in the row."""
        return self.spans[index][0] + self.attnames[index].index(attname)

    def converted(self, index: int, attname: str, row: tuple):
        """One column's value as the model would hold it."""
        value = row[self.position(index, attname)]
        connection = connections[self.alias]
        column = self.attnames[index].index(attname)
        for position, converter, col in self.converters[index]:
            if position == column:
                value = converter(value, col, connection)
        return value

    @classmethod
    def fetch(cls, user_pk: int | None, slug: str, source_slug: str, session_key: str | None = None) -> PageRow | None:
        """The page's row, or None when the map has no such source."""
        connection = connections[router.db_for_read(MapSource)]
        query = cls.for_connection(connection)
        now = query.session_cutoff() if session_key else None
        row = query.run(
            connection, {"user": user_pk, "session": session_key, "now": now, "map": slug, "source": source_slug}
        )
        return None if row is None else PageRow(query, row)

    def run(self, connection, params: dict) -> tuple | None:
        """The statement's row: on the driver's cursor unless something watches queries (module docstring)."""
        if self.driver_sql is None or connection.queries_logged or connection.execute_wrappers:
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                return cursor.fetchone()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(self.driver_sql, params)
                return cursor.fetchone()
            finally:
                cursor.close()

    def session_cutoff(self):
        """The time a session must expire after to count, as the database takes it: now, rounded up to
        the next whole second so that it is adapted once a second rather than on every request.

        Rounding up can only take a session for expired up to a second early; the page then asks
        Django the ordinary way (reader_views._reader_for_page), which checks the exact time.
        """
        second = int(time.time()) + 1
        if self._cutoff[0] != second:
            moment = datetime.fromtimestamp(second, tz=UTC if settings.USE_TZ else None)
            self._cutoff = (second, self.ops.adapt_datetimefield_value(moment))
        return self._cutoff[1]

    @classmethod
    def for_connection(cls, connection) -> "PageQuery":
        if connection.alias not in cls._built:
            cls._built[connection.alias] = cls(connection)
        return cls._built[connection.alias]

    def instance(self, index: int, row: tuple):
        """The model instance the index'th block of columns makes (0 map, 1 source, 2 user), as the ORM makes it."""
        model, _ = self.models[index]
        start, end = self.spans[index]
        values = list(row[start:end])
        connection = connections[self.alias]
        for position, converter, col in self.converters[index]:
            values[position] = converter(values[position], col, connection)
        return model.from_db(self.alias, self.attnames[index], values)
