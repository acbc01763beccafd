"""Front-end libraries from npm, at pinned versions, checked and cached.

Nothing third-party is committed: ``npm pack`` fetches a package tarball (so
npm's own registry settings, proxy and cache apply), the tarball's digest must
equal the integrity string pinned in its :class:`NpmPackage`, and only the
files a site needs are kept, under ``<cache_dir>/<cache_name>/<version>/``.
``kbgen setup`` fetches every package in :data:`PACKAGES`; a build that needs
one calls :func:`ensure_package`, so a fresh checkout works either way.

To add a library: ``npm view NAME@VERSION dist.integrity``, then declare an
:class:`NpmPackage` next to the code that serves it and register it in
:data:`PACKAGES` (see :func:`register`).
"""
from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Written last, so a directory without it is an interrupted unpack, never used.
_COMPLETE = ".complete"
_NPM_TIMEOUT_S = 180

log = logging.getLogger(__name__)


class NpmFetchError(RuntimeError):
    """A package could not be fetched, verified or unpacked."""


@dataclass(frozen=True)
class NpmPackage:
    name: str  # npm name, e.g. "katex" or "@scope/name"
    version: str
    integrity: str  # `npm view NAME@VERSION dist.integrity`
    # Which tarball files to keep: glob (relative to the package root, e.g.
    # "dist/fonts/*.woff2") → folder in the cache ("" keeps the base name at the top).
    keep: dict[str, str] = field(default_factory=dict)
    # Files (cache-relative) that must be present, or the package is refused.
    required: tuple[str, ...] = ()
    cache_name: str = ""  # folder under the cache; defaults to the npm name

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def folder(self) -> str:
        return self.cache_name or self.name.replace("/", "__").lstrip("@")


# Every package a site may serve, by folder name; `kbgen setup` fetches them all.
PACKAGES: dict[str, NpmPackage] = {}


def register(package: NpmPackage) -> NpmPackage:
    PACKAGES[package.folder] = package
    return package


def package_dir(cache_dir: Path | str, package: NpmPackage) -> Path:
    return Path(cache_dir) / package.folder / package.version


def cached_package(cache_dir: Path | str, package: NpmPackage) -> Path | None:
    """The unpacked package under ``cache_dir``, if a complete one is there (no network)."""
    target = package_dir(cache_dir, package)
    if not (target / _COMPLETE).is_file():
        return None
    # A cache unpacked under an older `keep` list lacks the files now required: fetch again.
    return target if all((target / name).is_file() for name in package.required) else None


_last_errors: dict[str, str] = {}


def last_error(package: NpmPackage) -> str:
    """Why the last :func:`ensure_package` for ``package`` returned None ('' if it never did)."""
    return _last_errors.get(package.spec, "")


def ensure_package(cache_dir: Path | str, package: NpmPackage) -> Path | None:
    """The folder holding the package's kept files, fetching them first if needed.

    Returns None when the package cannot be had (no npm, no network, a tarball
    that fails its integrity check); the reason is logged and kept in
    :func:`last_error` so the build can say it once.
    """
    found = cached_package(cache_dir, package)
    if found is not None:
        return found
    try:
        return fetch_package(cache_dir, package)
    except NpmFetchError as exc:
        _last_errors[package.spec] = str(exc)
        log.warning("%s", exc)
        return None


def fetch_package(cache_dir: Path | str, package: NpmPackage) -> Path:
    """Fetch, verify and unpack ``package`` into the cache; raises :class:`NpmFetchError`."""
    # Absolute: npm runs in the temporary folder, where a relative path means something else.
    target = package_dir(Path(cache_dir).resolve(), package)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"kbgen-{package.folder}-", dir=target.parent) as tmp:
        data = _npm_pack(Path(tmp), package).read_bytes()
        verify_integrity(data, package.integrity, package.spec)
        staging = Path(tmp) / "unpacked"
        _unpack(data, staging, package)
        (staging / _COMPLETE).write_text(package.version + "\n", encoding="utf-8")
        # A concurrent build may have finished first; its copy is as good as ours.
        if cached_package(cache_dir, package) is None:
            if target.exists():  # left over from an interrupted unpack
                shutil.rmtree(target, ignore_errors=True)
            try:
                os.replace(staging, target)
            except OSError as exc:
                if cached_package(cache_dir, package) is None:
                    raise NpmFetchError(f"could not store {package.spec} in {target}: {exc}") from exc
    return target


def verify_integrity(data: bytes, integrity: str, what: str = "package") -> None:
    """Check ``data`` against an npm/SRI integrity string (``sha512-<base64>``)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256"):
        raise NpmFetchError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode("ascii")
    if actual != expected:
        raise NpmFetchError(
            f"{what} tarball failed its integrity check "
            f"(expected {algorithm}-{expected}, got {algorithm}-{actual}); refusing to use it"
        )


def _npm_pack(dest: Path, package: NpmPackage) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise NpmFetchError(f"npm is not installed, so {package.spec} cannot be fetched")
    command = [npm, "pack", package.spec, "--json", "--pack-destination", str(dest)]
    try:
        done = subprocess.run(
            command, cwd=dest, capture_output=True, text=True, timeout=_NPM_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NpmFetchError(f"`npm pack {package.spec}` failed: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise NpmFetchError(f"`npm pack {package.spec}` failed: {reason}")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        filename = ""
    # npm names the file itself; never let its answer point outside ``dest``.
    tarball = dest / Path(filename).name if filename else None
    if tarball is None or not tarball.is_file():
        found = sorted(dest.glob("*.tgz"))
        if not found:
            raise NpmFetchError(f"`npm pack {package.spec}` reported {filename!r}, but no tarball was written")
        tarball = found[0]
    return tarball


def _destination(member: str, package: NpmPackage) -> str | None:
    """Where a tarball member goes in the cache, or None to skip it."""
    if not member.startswith("package/"):
        return None
    inner = member[len("package/"):]
    if inner in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
        return "LICENSE"
    for pattern, folder in package.keep.items():
        # "*" must not cross folders: "dist/*.js" keeps dist/a.js, not dist/x/a.js.
        if fnmatch.fnmatchcase(inner, pattern) and inner.count("/") == pattern.count("/"):
            name = inner.rsplit("/", 1)[-1]
            return f"{folder.strip('/')}/{name}" if folder.strip("/") else name
    return None


def _unpack(data: bytes, staging: Path, package: NpmPackage) -> None:
    """Copy the wanted files out of the tarball; paths come from :func:`_destination`, never the archive."""
    staging.mkdir(parents=True)
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                dest = _destination(member.name, package)
                if dest is None or not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                path = staging / dest
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(handle.read())
                found.add(dest)
    except (tarfile.TarError, OSError) as exc:
        raise NpmFetchError(f"could not unpack {package.spec}: {exc}") from exc
    missing = set(package.required) - found
    if missing:
        raise NpmFetchError(f"{package.spec} package lacks {sorted(missing)}")
