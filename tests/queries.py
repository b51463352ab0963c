"""Query counts pinned at two sizes of map: a page must cost the same number of queries whatever the map holds.

    count = queries_at_two_sizes(client, owner, lambda m: reverse("arguments:brief", args=[m.slug]), at_most=5)

builds a map at each size (grow_map: a thesis tree of that many claims, each quoted once), asks for the
URL the function gives for it, and asserts the answer is 200 and its query count the same for both.
"""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from arguments.models import ArgumentMap, Visibility

from .factories import grow_map, make_map, make_source

SIZES = (5, 50)


def queries_for(client, url: str, **headers) -> int:
    """The queries one GET of `url` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def queries_at_two_sizes(
    client,
    owner,
    url_of: Callable[[ArgumentMap], str],
    *,
    exactly: int | None = None,
    at_most: int | None = None,
    prepare: Callable[[ArgumentMap], None] | None = None,
    sizes: tuple[int, int] = SIZES,
    visibility: str = Visibility.PUBLIC,
    members: dict | None = None,
    **headers,
) -> int:
    """The queries of GET url_of(map) for a map grown to each size, asserted equal (and `exactly`, or `at_most`).

    `prepare(map)` adds whatever else the page should show; `members` (role=user) join each map.
    """
    counts = []
    for size in sizes:
        argument_map = make_map(owner, visibility=visibility, **(members or {}))
        grow_map(argument_map, make_source(added_by=owner), claims=size, actor=owner)
        if prepare is not None:
            prepare(argument_map)
        counts.append(queries_for(client, url_of(argument_map), **headers))
    assert counts[0] == counts[1], f"the query count grew with the map: {counts}"
    if exactly is not None:
        assert counts[0] == exactly, counts
    if at_most is not None:
        assert counts[0] <= at_most, counts
    return counts[0]
