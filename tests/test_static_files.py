"""collectstatic with the production storage: every file is found, and Warrant's modules import each
other by their hashed names, so a deploy never mixes a new module with an old one."""

import re

from django.core.management import call_command
from django.test import override_settings

STORAGE = {"BACKEND": "config.static_files.ModuleAwareStaticFilesStorage"}


def test_collectstatic_hashes_the_modules_imports(tmp_path, settings):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": STORAGE}):
        call_command("collectstatic", "--noinput", verbosity=0)
    reader = next(path for path in (tmp_path / "js").glob("reader.*.js") if path.suffix == ".js")
    imports = re.findall(r'from "([^"]+)"', reader.read_text())
    assert imports and all(re.fullmatch(r"\./reader/\w+\.[0-9a-f]{12}\.js", name) for name in imports)
    for name in imports:
        assert (tmp_path / "js" / name).exists()
    # Third-party scripts are left as published.
    vendored = (tmp_path / "vendor/idiomorph/idiomorph-ext.min.js").read_bytes()
    assert vendored == (settings.BASE_DIR / "static/vendor/idiomorph/idiomorph-ext.min.js").read_bytes()
