"""Static files under content-hashed names, compressed (WhiteNoise's manifest storage).

``make serve`` runs ``collectstatic`` first, which writes the hashed, gzip/brotli copies and
``staticfiles.json``; WhiteNoise then serves them with a far-future, immutable Cache-Control.
A process that never ran ``collectstatic`` (a benchmark, a management command on a fresh
checkout) has no manifest at all: it renders the plain names, which the finders serve, instead
of failing on every ``{% static %}``. Once a manifest exists it is strict: a file missing from it
is an error, not a silent plain name.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # loaded from the manifest when the process started
            return name
        return str(super().stored_name(name))
