"""GraphML export: claims as nodes, relations as directed edges, for Gephi, yEd, Cytoscape and networkx.

Two queries (claims, relations), written by plain string building. Every value is escaped for XML,
and characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF) are dropped.
"""

import re

from arguments.models import ArgumentMap, Claim, Relation

# Characters a well-formed XML 1.0 document may not contain, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})

# (id, element it describes, attribute name, GraphML type)
KEYS = (
    ("d0", "node", "text", "string"),
    ("d1", "node", "kind", "string"),
    ("d2", "edge", "kind", "string"),
    ("d3", "edge", "scheme", "string"),
    ("d4", "edge", "weight", "double"),
    ("d5", "graph", "title", "string"),
    ("d6", "graph", "question", "string"),
)


def xml_text(value: str) -> str:
    """`value` safe inside XML character data or a double-quoted attribute."""
    return _NOT_XML.sub("", value).translate(_XML_ESCAPES)


def export_graphml(argument_map: ArgumentMap) -> str:
    claims = Claim.objects.filter(map_id=argument_map.pk).order_by("id").values_list("id", "kind", "text")
    relations = (
        Relation.objects.filter(map_id=argument_map.pk)
        .order_by("id")
        .values_list("id", "from_claim_id", "to_claim_id", "kind", "scheme", "weight")
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    ]
    out += [
        f'  <key id="{key}" for="{element}" attr.name="{name}" attr.type="{kind}"/>\n'
        for key, element, name, kind in KEYS
    ]
    out.append(f'  <graph id="{xml_text(argument_map.slug)}" edgedefault="directed">\n')
    out.append(f'    <data key="d5">{xml_text(argument_map.title)}</data>\n')
    out.append(f'    <data key="d6">{xml_text(argument_map.question)}</data>\n')
    out += [
        f'    <node id="c{pk}"><data key="d0">{xml_text(text)}</data><data key="d1">{kind}</data></node>\n'
        for pk, kind, text in claims
    ]
    for pk, source, target, kind, scheme, weight in relations:
        data = f'<data key="d2">{kind}</data>'
        if scheme:
            data += f'<data key="d3">{xml_text(scheme)}</data>'
        if weight is not None:
            data += f'<data key="d4">{weight!r}</data>'
        out.append(f'    <edge id="r{pk}" source="c{source}" target="c{target}">{data}</edge>\n')
    out.append("  </graph>\n</graphml>\n")
    return "".join(out)
