"""Moving maps in and out of Warrant: every interchange format, the download pages and their cache.

- registry.py    the formats a map downloads in, and the download shared by pages and API
- cache.py       downloads built once per revision, answered 304 while unchanged
- imports.py     importing a map from a Warrant JSON or AIF file
- views.py       the export and import pages
- one module per format: warrant_json.py (with json_reader.py), aif_export.py and aif.py (import),
  argdown.py, graphml.py, dot.py (DOT and SVG), tables.py (CSV), webannotation.py, brief.py (Markdown, PDF)
- common.py, rows.py  what the importers share
"""
