"""The deployment's checkpoint key: ``settings.SANXIANG_LEDGER_KEY_FILE``, made on first use."""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

from django.conf import settings

from . import signing


def key_path() -> Path:
    return Path(settings.SANXIANG_LEDGER_KEY_FILE)


def algorithm() -> str:
    return str(settings.SANXIANG_LEDGER_SIGNATURE)


def origin() -> str:
    return str(settings.SANXIANG_LEDGER_ORIGIN)


def signing_key() -> signing.SigningKey:
    path = key_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return signing.load_or_create(path, algorithm())
    return _cached_key(path, algorithm(), stamp)


@functools.lru_cache(maxsize=4)
def _cached_key(path: Path, algorithm: str, stamp: int) -> signing.SigningKey:
    # ``stamp`` (the file's mtime) is part of the key: a replaced key file is read again.
    return signing.load_or_create(path, algorithm)


def public_key_info(key: signing.SigningKey | None = None) -> dict[str, Any]:
    """The public half, as bundles carry it and as the portal publishes it."""
    key = key or signing_key()
    kid = signing.key_id(algorithm=key.algorithm, origin=origin(), public_key=key.public)
    return {
        "algorithm": key.algorithm,
        "origin": origin(),
        "key_id": kid.hex(),
        "public_key": base64.b64encode(key.public).decode("ascii"),
    }
