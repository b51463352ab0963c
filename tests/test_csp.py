"""The Content-Security-Policy and Permissions-Policy headers, what templates may hold under them, and
the endpoint where browsers report violations. tests/browser/test_csp.py loads every page in Chromium."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def test_pages_carry_a_strict_policy_and_deny_device_features(client, viewer, private_map):
    client.force_login(viewer)
    response = client.get(private_map.get_absolute_url())
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["report-uri"] == reverse("csp_report")
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_htmx_runs_without_eval_script_tags_or_its_own_style(client):
    page = client.get(reverse("login")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1))
    assert config["allowEval"] is config["allowScriptTags"] is config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]  # htmx would copy it with setAttribute
    assert ".htmx-indicator" in (Path(settings.BASE_DIR) / "static/css/warrant.css").read_text()


def test_no_template_holds_inline_script_style_or_event_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        for pattern in (r"\sstyle=", r"<style", r"<script(?![^>]*\ssrc=)", r"\son[a-z]+=", r"hx-on", r"hx-vals"):
            if re.search(pattern, text):
                found.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert found == []


def test_the_graph_data_is_a_json_block_not_a_script(client, viewer, private_map):
    client.force_login(viewer)
    page = client.get(reverse("arguments:graph", args=[private_map.slug])).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script id="graph-data" type="application/json">' in scripts
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)


def report(client, body, content_type="application/csp-report"):
    return client.post(reverse("csp_report"), data=json.dumps(body), content_type=content_type)


def test_a_report_of_either_shape_is_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="warrant.csp")
    old_shape = {
        "csp-report": {
            "document-uri": "http://testserver/maps/",
            "violated-directive": "style-src-attr",
            "blocked-uri": "inline",
        }
    }
    new_shape = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "http://testserver/",
                "effectiveDirective": "script-src-elem",
                "blockedURL": "https://elsewhere.example/x.js",
            },
        }
    ]
    assert report(client, old_shape).status_code == 204
    assert report(client, new_shape, "application/reports+json").status_code == 204
    assert [record.getMessage() for record in caplog.records if record.name == "warrant.csp"] == [
        "CSP violation: style-src-attr blocked inline on http://testserver/maps/",
        "CSP violation: script-src-elem blocked https://elsewhere.example/x.js on http://testserver/",
    ]


def test_the_report_endpoint_takes_only_small_json_posts(client, caplog):
    caplog.set_level(logging.WARNING, logger="warrant.csp")
    assert client.get(reverse("csp_report")).status_code == 405
    assert client.post(reverse("csp_report"), data="not json", content_type="application/csp-report").status_code == 400
    assert report(client, {"csp-report": {"blocked-uri": "x" * 70_000}}).status_code == 413
    assert report(client, {"something": "else"}).status_code == 204  # nothing to log
    assert not [record for record in caplog.records if record.name == "warrant.csp"]
