"""URLs of the graph page, included by arguments/urls.py under /maps/."""

from django.urls import path

from . import graph_views

urlpatterns = [
    path("<slug:slug>/graph/", graph_views.map_graph, name="graph"),
    path("<slug:slug>/graph/claims/<int:claim_id>/", graph_views.graph_claim, name="graph_claim"),
]
