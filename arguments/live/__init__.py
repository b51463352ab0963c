"""Live updates: the Event table read as a feed (feed.py), pushed on PostgreSQL (hub.py), and the
endpoints pages follow it through (views.py)."""
