"""Shared fixtures: personas and small factories (plain functions live in tests/factories.py)."""

import os

os.environ.setdefault("WARRANT_FAST_PASSWORDS", "1")
