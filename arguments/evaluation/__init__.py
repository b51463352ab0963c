"""Evaluating a map: which claims stand and how strongly.

- semantics.py   a map evaluated as plain data (no database): evaluate_map, MapEvaluation
- grounded.py    which claims stand, from the attacks alone (Dung's grounded labelling)
- dfquad.py      how strongly each claim stands, from supports and attacks (DF-QuAD)
- graph.py       the numbered, list-based graphs both work on
- assessment.py  a map's evaluation read from the database, with explanations naming claims
"""
