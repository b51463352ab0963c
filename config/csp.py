"""Where browsers report Content-Security-Policy violations (the policy's report-uri).

The policy itself is in config/settings.py (django-csp). Reports come in two shapes: `report-uri`'s
(`{"csp-report": {...}}`, application/csp-report), which the policy asks for, and the Reporting API's
(`[{"type": "csp-violation", "body": {...}}]`, application/reports+json), for a policy that adds
`report-to`. Each violation is logged once on "warrant.csp", so an operator sees a page that breaks
the policy (or a browser extension that does) in the app's log. Browsers send reports without
cookies, so they never count against anyone's rate limit.
"""

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("warrant.csp")

# A report is a few hundred bytes; anything much larger is not one.
MAX_REPORT_BYTES = 64 * 1024


def violations(data: object) -> list[dict]:
    """The violations in a report of either shape, each as a dict of the report's own fields."""
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [item["body"] for item in data if isinstance(item, dict) and isinstance(item.get("body"), dict)]
    return []


def _field(violation: dict, *names: str) -> str:
    """The first of `names` the report has (the two shapes spell fields differently), shortened for a log line."""
    for name in names:
        if violation.get(name):
            return str(violation[name])[:300]
    return "?"


@csrf_exempt  # browsers send reports without a CSRF token; a report changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if int(request.headers.get("Content-Length") or 0) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        return HttpResponse("A CSP report is JSON.", status=400, content_type="text/plain")
    for violation in violations(data):
        logger.warning(
            "CSP violation: %s blocked %s on %s",
            _field(violation, "effectiveDirective", "effective-directive", "violated-directive"),
            _field(violation, "blockedURL", "blocked-uri"),
            _field(violation, "documentURL", "document-uri"),
            extra={"csp_violation": violation},
        )
    return HttpResponse(status=204)
