"""The reader page's one row (map, source, the viewer's role and user row, their session, the newest event id).

A `304 Not Modified` answer of the reader needs who is asking, the map and the source. Through the
ORM that was three queries (session, user, page), and compiling them took most of the time. Here it
is one statement written out once per database connection alias: when config/session_identity.py
can guess the session's user, the session row and that user row are joined in, and the guess is
then checked against them; otherwise Django loads the user and the statement joins the user row only.
tests/test_reader_cache.py checks that it gives what `MapSource.objects.select_related(...)` gives.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from sources.models import Source

from .models import ArgumentMap, Event, MapSource, Membership


@dataclass
class PageRow:
    map: ArgumentMap
    source: Source
    role: str | None
    last_event_id: int | None
    user: object | None  # the user row asked for, as a model instance (None: none asked for, or no such user)
    session_data: str | None  # the session asked for, if it exists and has not expired


class PageQuery:
    """Column lists come from the models, values go through the fields' converters as the ORM's
    would, and instances are made with from_db, so the objects are those the ORM gives. Parameters:
    the session key (or None), the current time, the user id (None for visitors, which matches no
    membership and no user), the map slug, the source slug.
    """

    SQL = """
        SELECT {map_columns}, {source_columns}, {user_columns}, ss.session_data,
            (SELECT role FROM {membership} WHERE map_id = m.id AND user_id = %s LIMIT 1),
            (SELECT id FROM {event} WHERE map_id = m.id ORDER BY id DESC LIMIT 1)
        FROM {map_source} ms
            INNER JOIN {map} m ON m.id = ms.map_id
            INNER JOIN {source} s ON s.id = ms.source_id
            LEFT JOIN {session} ss ON ss.session_key = %s AND ss.expire_date > %s
            LEFT JOIN {user} u ON u.{user_pk} = %s
        WHERE m.slug = %s AND s.slug = %s
    """
    _built: dict[str, "PageQuery"] = {}  # per database alias, made on first use

    def __init__(self, connection) -> None:
        self.alias = connection.alias
        self.ops = connection.ops
        user_model = get_user_model()
        self.models = (
            (ArgumentMap, list(ArgumentMap._meta.concrete_fields)),
            (Source, [f for f in Source._meta.concrete_fields if f.name not in ("text", "original")]),
            (user_model, list(user_model._meta.concrete_fields)),
        )
        qn = connection.ops.quote_name
        self.sql = self.SQL.format(
            membership=qn(Membership._meta.db_table),
            event=qn(Event._meta.db_table),
            map_source=qn(MapSource._meta.db_table),
            map=qn(ArgumentMap._meta.db_table),
            source=qn(Source._meta.db_table),
            session=qn(Session._meta.db_table),
            user=qn(user_model._meta.db_table),
            user_pk=qn(user_model._meta.pk.column),
            map_columns=", ".join(f"m.{qn(f.column)}" for f in self.models[0][1]),
            source_columns=", ".join(f"s.{qn(f.column)}" for f in self.models[1][1]),
            user_columns=", ".join(f"u.{qn(f.column)}" for f in self.models[2][1]),
        )
        # (position in the row, converter, its column) for each value that needs converting, e.g. dates on SQLite.
        self.converters = []
        position = 0
        for (_, fields), table in zip(self.models, ("m", "s", "u"), strict=True):
            for field in fields:
                col = field.get_col(table)
                for converter in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
                    self.converters.append((position, converter, col))
                position += 1
        self.attnames = [[f.attname for f in fields] for _, fields in self.models]

    @classmethod
    def fetch(cls, user_pk: int | None, slug: str, source_slug: str, session_key: str | None = None) -> PageRow | None:
        """The page's row, or None when the map has no such source."""
        connection = connections[router.db_for_read(MapSource)]
        query = cls.for_connection(connection)
        now = query.ops.adapt_datetimefield_value(timezone.now()) if session_key else None
        with connection.cursor() as cursor:
            cursor.execute(query.sql, [user_pk, session_key, now, user_pk, slug, source_slug])
            row = cursor.fetchone()
        return None if row is None else query.hydrate(row)

    @classmethod
    def for_connection(cls, connection) -> "PageQuery":
        if connection.alias not in cls._built:
            cls._built[connection.alias] = cls(connection)
        return cls._built[connection.alias]

    def hydrate(self, row: tuple) -> PageRow:
        values = list(row)
        connection = connections[self.alias]
        for position, converter, col in self.converters:
            values[position] = converter(values[position], col, connection)
        instances, start = [], 0
        for (model, _), attnames in zip(self.models, self.attnames, strict=True):
            end = start + len(attnames)
            instances.append(model.from_db(self.alias, attnames, values[start:end]))
            start = end
        argument_map, source, user = instances
        session_data, role, last_event_id = values[start:]
        return PageRow(argument_map, source, role, last_event_id, user if user.pk is not None else None, session_data)
