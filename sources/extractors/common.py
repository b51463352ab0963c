"""What every extractor shares: the error it raises, what it returns, and the bounds on one document's work."""

import time
from typing import NamedTuple

from django.conf import settings

# Reading one document may take this long at most: a hostile file can be slow to parse in ways that no limit on
# its size or structure foresees, and a worker busy with it serves nobody else.
MAX_SECONDS = 8.0


class IngestError(Exception):
    """A document that cannot be imported; the message is written for the person who uploaded it."""


class Raw(NamedTuple):
    text: str
    title: str = ""
    # Whether the text was laid out on pages, so a blank line may be a page break inside a paragraph.
    paged: bool = True


class Budget:
    """The work one document may cause: the seconds spent reading it, and the characters of text it yields.

    No document yields more characters than the largest plain-text file accepted has bytes
    (WARRANT_MAX_UPLOAD_BYTES): compressed formats could otherwise unfold into far more text than was uploaded.
    Extractors call spend() as text comes out and check_time() between steps of bounded size.
    """

    def __init__(self, what: str) -> None:
        self.what = what  # how messages name the document: "This PDF", "This web page"
        self.deadline = time.monotonic() + MAX_SECONDS
        self.chars_left = settings.WARRANT_MAX_UPLOAD_BYTES

    def spend(self, chars: int) -> None:
        self.chars_left -= chars
        if self.chars_left < 0:
            limit = settings.WARRANT_MAX_UPLOAD_BYTES
            raise IngestError(
                f"{self.what} holds more than {limit:,} characters of text, more than one source may have; "
                "split it into parts."
            )

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise IngestError(
                f"{self.what} takes more than {MAX_SECONDS:g} seconds to read, so it was refused; "
                "split it into smaller parts."
            )
