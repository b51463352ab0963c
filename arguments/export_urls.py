"""Export and import routes, included at the end of arguments/urls.py (mounted under /maps/).

The import page itself (`export_views.map_import`, /maps/import/) is routed in arguments/urls.py,
before the `<slug:slug>/` patterns that would otherwise take "import" for a map's slug.
"""

from django.urls import path

from . import export_views

urlpatterns = [
    path("<slug:slug>/export/", export_views.map_export, name="export"),
    path("<slug:slug>/export/<str:format>/", export_views.map_export_format, name="export_format"),
]
