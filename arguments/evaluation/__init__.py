"""Evaluating a map: which claims stand and how strongly.

- semantics.py   the pure evaluation on plain graphs (grounded labelling, DF-QuAD), no database
- assessment.py  a map's evaluation read from the database, with explanations naming claims
"""
