"""Static files in production: WhiteNoise's compressed, hashed copies, with module imports rewritten.

The front end is JavaScript modules that import each other (`import … from "./reader/offsets.js"`).
Django rewrites those paths to the hashed names only when asked to; otherwise a hashed module, cached
for a year, would import an unhashed file cached for a minute, and for that minute after a deploy a
browser could run a new module with an old one. Django's switch for this
(`support_js_module_import_aggregation`) applies to every script, and some third-party ones name
files that do not exist (django-htmx's extensions import "htmx"), so the same patterns are applied
to Warrant's own modules only (static/js/).
"""

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

_, MODULE_IMPORTS = HashedFilesMixin._js_module_import_aggregation_patterns


class ModuleAwareStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("js/*.js", MODULE_IMPORTS))
