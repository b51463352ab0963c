"""The annotating reader: a source read inside a map, its passages highlighted, annotating in place.

- views.py       the page, annotating, changing and removing annotations
- layer.py       the highlighted text and annotation lists (the part that grows with the passages)
- cache.py       the rendered layer kept per revision, and the page's ETag
- forms.py       annotating a selection, changing a piece of evidence
- text_views.py  editing the source's text (preview, save) and re-attaching orphaned passages
"""
