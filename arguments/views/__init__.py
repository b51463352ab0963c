"""The pages of a map: maps.py (the map, its settings, search, brief, activity, sources), claims.py (a
claim, its discussion, editing, responding, relations), members.py (members and invitations), graph.py."""
