"""JSON request bodies must be objects: every endpoint reads its fields by name.

A body of `null`, `3`, `"x"` or `[...]` is valid JSON that no endpoint can read; refusing it in the
parser answers 400 once for all endpoints, instead of each view meeting a list where it expected a
dict and failing with a 500. Views that set their own `parser_classes` must name this parser, not
DRF's JSONParser (tests/test_api_errors.py checks every view).
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

KINDS = {type(None): "null", bool: "true or false", int: "a number", float: "a number", str: "a string", list: "a list"}


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            kind = KINDS.get(type(data), type(data).__name__)
            raise ParseError(f'The request body must be a JSON object, such as {{"text": "…"}}, not {kind}.')
        return data
