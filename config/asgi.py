"""ASGI entry point: `uvicorn config.asgi:application` (see docs/live-updates.md).

Under an ASGI server the map pages can follow changes through server-sent events (on PostgreSQL),
and WhiteNoise's middleware serves static files here as it does under WSGI.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
