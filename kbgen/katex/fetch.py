"""Get KaTeX from its npm package, at a pinned version, checked and cached.

KaTeX is never committed: ``npm pack`` fetches the package tarball (so npm's
own registry settings, proxy and cache apply), the tarball's SHA-512 must equal
the integrity string pinned here, and only the files a site needs are kept,
under ``<cache_dir>/katex/<version>/``. The README's set-up runs
``python -m kbgen.katex.fetch`` and the first build that meets a formula calls
:func:`ensure_katex` too, so a fresh checkout works either way.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

KATEX_VERSION = "0.19.1"
# `npm view katex@0.19.1 dist.integrity`; a tarball that does not match is refused.
KATEX_INTEGRITY = "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="

# Written last, so a directory without it is an interrupted unpack, never used.
_COMPLETE = ".complete"
_NPM_TIMEOUT_S = 120

log = logging.getLogger(__name__)


class KatexFetchError(RuntimeError):
    """KaTeX could not be fetched, verified or unpacked."""


def katex_dir(cache_dir: Path | str, version: str = KATEX_VERSION) -> Path:
    return Path(cache_dir) / "katex" / version


def cached_katex(cache_dir: Path | str) -> Path | None:
    """The unpacked KaTeX under ``cache_dir``, if a complete one is there (no network)."""
    target = katex_dir(cache_dir)
    return target if (target / _COMPLETE).is_file() else None


def ensure_katex(cache_dir: Path | str) -> Path | None:
    """The directory holding KaTeX's files, fetching them first if needed.

    Returns None when KaTeX cannot be had (no npm, no network, a tarball that
    fails its integrity check); the reason is logged and kept in
    :func:`last_error` so the build can say it once.
    """
    global _last_error
    found = cached_katex(cache_dir)
    if found is not None:
        return found
    try:
        return fetch_katex(cache_dir)
    except KatexFetchError as exc:
        _last_error = str(exc)
        log.warning("%s", exc)
        return None


_last_error = ""


def last_error() -> str:
    """Why the last :func:`ensure_katex` returned None ('' if it never did)."""
    return _last_error


def fetch_katex(cache_dir: Path | str) -> Path:
    """Fetch, verify and unpack KaTeX into the cache; raises :class:`KatexFetchError`."""
    # Absolute: npm runs in the temporary folder, where a relative path means something else.
    target = katex_dir(Path(cache_dir).resolve())
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kbgen-katex-", dir=target.parent) as tmp:
        tarball = _npm_pack(Path(tmp))
        data = tarball.read_bytes()
        verify_integrity(data, KATEX_INTEGRITY)
        staging = Path(tmp) / "unpacked"
        _unpack(data, staging)
        (staging / _COMPLETE).write_text(KATEX_VERSION + "\n", encoding="utf-8")
        # A concurrent build may have finished first; its copy is as good as ours.
        if cached_katex(cache_dir) is None:
            if target.exists():  # left over from an interrupted unpack
                shutil.rmtree(target, ignore_errors=True)
            try:
                os.replace(staging, target)
            except OSError as exc:
                if cached_katex(cache_dir) is None:
                    raise KatexFetchError(f"could not store KaTeX in {target}: {exc}") from exc
    return target


def verify_integrity(data: bytes, integrity: str) -> None:
    """Check ``data`` against an npm/SRI integrity string (``sha512-<base64>``)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256"):
        raise KatexFetchError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode("ascii")
    if actual != expected:
        raise KatexFetchError(
            f"katex@{KATEX_VERSION} tarball failed its integrity check "
            f"(expected {algorithm}-{expected}, got {algorithm}-{actual}); refusing to use it"
        )


def _npm_pack(dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise KatexFetchError("npm is not installed, so KaTeX cannot be fetched")
    command = [npm, "pack", f"katex@{KATEX_VERSION}", "--json", "--pack-destination", str(dest)]
    try:
        done = subprocess.run(
            command, cwd=dest, capture_output=True, text=True, timeout=_NPM_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KatexFetchError(f"`npm pack katex@{KATEX_VERSION}` failed: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise KatexFetchError(f"`npm pack katex@{KATEX_VERSION}` failed: {reason}")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        filename = f"katex-{KATEX_VERSION}.tgz"
    # npm names the file itself; never let its answer point outside ``dest``.
    tarball = dest / Path(filename).name
    if not tarball.is_file():
        raise KatexFetchError(f"`npm pack` reported {filename!r}, but no such file was written")
    return tarball


def _wanted(member: str) -> str | None:
    """Where a package file goes in the cache, or None to skip it."""
    if member == "package/LICENSE":
        return "LICENSE"
    if member in ("package/dist/katex.min.js", "package/dist/katex.min.css"):
        return member.rsplit("/", 1)[1]
    if member.startswith("package/dist/fonts/") and member.endswith(".woff2") and member.count("/") == 3:
        return "fonts/" + member.rsplit("/", 1)[1]
    return None


def _unpack(data: bytes, staging: Path) -> None:
    """Copy the wanted files out of the tarball; paths come from :func:`_wanted`, never the archive."""
    (staging / "fonts").mkdir(parents=True)
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                dest = _wanted(member.name)
                if dest is None or not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                (staging / dest).write_bytes(handle.read())
                found.add(dest)
    except (tarfile.TarError, OSError) as exc:
        raise KatexFetchError(f"could not unpack katex@{KATEX_VERSION}: {exc}") from exc
    missing = {"katex.min.js", "katex.min.css", "LICENSE"} - found
    if missing or not any(name.startswith("fonts/") for name in found):
        raise KatexFetchError(f"katex@{KATEX_VERSION} package lacks {sorted(missing) or 'fonts'}")


def main(argv: list[str] | None = None) -> int:
    """``python -m kbgen.katex.fetch [CACHE_DIR]``: fetch KaTeX for offline builds."""
    from ..config import DEFAULT_CACHE_DIR

    args = sys.argv[1:] if argv is None else argv
    cache_dir = Path(args[0]) if args else Path(DEFAULT_CACHE_DIR)
    try:
        path = cached_katex(cache_dir) or fetch_katex(cache_dir)
    except KatexFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"KaTeX {KATEX_VERSION} ready in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
