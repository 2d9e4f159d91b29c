"""The set of instruments on disk: loading, cross-file checks, the lock of published versions.

Layout: ``instruments/<instrument-id>/<version>.yaml``, one file per published version, and
``instruments/instruments.lock``, which records the SHA-256 of each published version's canonical
form. A published file whose content changes fails validation (I403): answers already collected
are bound to the hash they were given under.

The shipped instruments travel inside the package: ``pyproject.toml`` maps the top-level
``instruments/`` folder to the package :mod:`survey.instrument.shipped`, so they are found with
:mod:`importlib.resources` in a checkout and in an installed wheel alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from survey import settings
from survey.instrument.checks import LineMap, limit_issue, read_instrument
from survey.instrument.errors import InstrumentError, InstrumentIssue, relative_name
from survey.instrument.model import Instrument, parse_version
from survey.instrument.yaml_limits import YamlLimitError, read_limited_text, safe_load

LOCK_NAME = "instruments.lock"
#: The package whose data are the shipped instruments (``instruments/`` of the checkout).
SHIPPED_PACKAGE = "survey.instrument.shipped"


def shipped_instruments_dir() -> Path:
    """The folder of the instruments shipped with the package.

    Examples
    --------
    >>> (shipped_instruments_dir() / LOCK_NAME).is_file()
    True
    """
    # Installed packages are plain folders (no zip import), so the resource is a real path.
    return Path(str(resources.files(SHIPPED_PACKAGE)))


def instruments_dir() -> Path:
    """The instruments folder in use: ``COCREATE_INSTRUMENTS_DIR`` when set (it replaces the
    shipped instruments), else :func:`shipped_instruments_dir`."""
    configured = settings.get("instruments_dir")
    return Path(configured) if configured else shipped_instruments_dir()


def instrument_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The YAML files named by ``paths`` (files as given, folders searched recursively)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        else:
            yield path


def _lock_path(file: Path) -> Path | None:
    """The lock file that governs an instrument file: ``../instruments.lock`` from its folder."""
    candidate = file.resolve().parent.parent / LOCK_NAME
    return candidate if candidate.exists() else None


def read_lock(path: Path) -> tuple[dict[str, str], list[InstrumentIssue]]:
    """The lock file's ``id@version -> sha256``, or the issues that keep it from being read.

    The lock is JSON, read with the bounded loader of :mod:`survey.instrument.yaml_limits`
    (JSON is YAML's flow style), so a lock nested 100,000 deep or swollen by aliases is a
    located issue (I109-I111), never a ``RecursionError``.

    Parameters
    ----------
    path : Path
        The lock file.

    Returns
    -------
    tuple of dict and list of InstrumentIssue
        The recorded hashes (empty when unreadable) and the issues (I407, I109-I111).
    """
    name = relative_name(path)
    try:
        data = safe_load(read_limited_text(path))
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError("expected a JSON object of 'id@version': 'sha256'")
    except YamlLimitError as exc:
        return {}, [limit_issue(exc, name)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return {}, [
            InstrumentIssue(
                "I407",
                f"cannot read the lock file: not JSON ({problem})",
                file=name,
                line=mark.line + 1 if mark is not None else None,
            )
        ]
    except (OSError, ValueError) as exc:
        return {}, [InstrumentIssue("I407", f"cannot read the lock file: {exc}", file=name)]
    return data, []


def write_lock(path: Path, lock: dict[str, str]) -> None:
    path.write_text(json.dumps(dict(sorted(lock.items())), indent=2) + "\n", encoding="utf-8")


@dataclass
class Registry:
    """Every valid instrument version found, by id and version."""

    instruments: dict[str, dict[str, Instrument]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    lines: dict[str, LineMap] = field(default_factory=dict)

    def add(self, instrument: Instrument, path: Path, lines: LineMap | None = None) -> None:
        self.instruments.setdefault(instrument.id, {})[instrument.version] = instrument
        self.files[instrument.key] = path
        self.lines[instrument.key] = lines or LineMap({})

    def __iter__(self) -> Iterator[Instrument]:
        for instrument_id in sorted(self.instruments):
            yield from self.versions(instrument_id)

    def __len__(self) -> int:
        return sum(len(v) for v in self.instruments.values())

    def versions(self, instrument_id: str) -> list[Instrument]:
        """All versions of an instrument, oldest first."""
        found = self.instruments.get(instrument_id, {})
        return [found[v] for v in sorted(found, key=parse_version)]

    def latest(self) -> list[Instrument]:
        """The newest version of every instrument."""
        return [self.versions(i)[-1] for i in sorted(self.instruments)]

    def get(self, ref: str) -> Instrument:
        """Look up ``id`` (newest version) or ``id@version``; ``ValueError`` names the choices."""
        instrument_id, _, version = ref.partition("@")
        if instrument_id not in self.instruments:
            known = ", ".join(sorted(self.instruments)) or "none"
            raise ValueError(f"unknown instrument {instrument_id!r} (known: {known})")
        versions = self.instruments[instrument_id]
        if not version:
            return self.versions(instrument_id)[-1]
        if version not in versions:
            known = ", ".join(sorted(versions, key=parse_version))
            raise ValueError(f"{instrument_id} has no version {version!r} (versions: {known})")
        return versions[version]

    def find_scale(self, ref: str) -> bool:
        """Whether ``instrument-id/scale-id`` names a scale of some version."""
        instrument_id, _, scale_id = ref.partition("/")
        return any(
            scale.id == scale_id
            for instrument in self.versions(instrument_id)
            for scale in instrument.scales
        )


class PinnedContentChanged(ValueError):
    """Stored responses were given under other content than the instrument file now holds.

    Raised by :func:`check_pinned`; ``key`` is ``id@version``, ``pinned`` the SHA-256 the
    campaign and its responses recorded, ``current`` the SHA-256 of the file in the registry,
    ``file`` its path (when known) and ``responses`` how many responses are affected (when
    counted). The message names all of them and the fix.
    """

    def __init__(
        self,
        key: str,
        pinned: str,
        current: str,
        *,
        file: Path | None = None,
        responses: int | None = None,
    ) -> None:
        self.key, self.pinned, self.current = key, pinned, current
        self.file, self.responses = file, responses
        given = f"{responses} response(s)" if responses is not None else "the stored responses"
        where = f" ({relative_name(file)})" if file is not None else ""
        super().__init__(
            f"{given} to {key} were given under content hash {pinned}, but the instrument "
            f"file{where} now has content hash {current}: a published version was edited "
            "after people answered it, so its texts, scales and stages no longer match the "
            f"answers. Restore the file of {key} (and its line in {LOCK_NAME}) from version "
            "control, and publish any change as a new version"
        )


def check_pinned(
    registry: Registry, ref: str, sha256: str | None, *, responses: int | None = None
) -> Instrument:
    """The instrument version ``ref``, provided its content hash is the one pinned.

    Every reader of stored responses that uses an instrument's content (exports, results, the
    report) calls this: a campaign pins each version by its SHA-256, and answers mean nothing
    under other texts, scales or stages, even when the lock file was updated to the new hash.

    Parameters
    ----------
    registry : Registry
        The instruments in use.
    ref : str
        ``id@version`` (``id`` alone means the newest version).
    sha256 : str or None
        The hash pinned by the campaign or the response; ``None`` (an unpinned row, e.g. a
        hand-built table) checks nothing.
    responses : int, optional
        How many responses carry ``sha256``, for the message.

    Returns
    -------
    Instrument

    Raises
    ------
    PinnedContentChanged
        When the file's hash differs from ``sha256``.
    ValueError
        When the registry does not hold ``ref``.

    Examples
    --------
    >>> registry = default_registry()
    >>> instrument = registry.get("cocreation-practices")
    >>> check_pinned(registry, instrument.key, instrument.sha256) is instrument
    True
    >>> check_pinned(registry, instrument.key, "0" * 64)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    survey.instrument.registry.PinnedContentChanged: the stored responses to cocreation-...
    """
    instrument = registry.get(ref)
    if sha256 is not None and sha256 != instrument.sha256:
        raise PinnedContentChanged(
            instrument.key,
            sha256,
            instrument.sha256,
            file=registry.files.get(instrument.key),
            responses=responses,
        )
    return instrument


def check_hashes(registry: Registry, ref: str, hashes: Mapping[str, int]) -> Instrument:
    """:func:`check_pinned` for every content hash stored responses to ``ref`` carry.

    Parameters
    ----------
    registry : Registry
    ref : str
        ``id@version``.
    hashes : mapping of str to int
        Responses per pinned SHA-256 (e.g. :func:`survey.storage.reads.stored_hashes`).

    Returns
    -------
    Instrument

    Raises
    ------
    PinnedContentChanged
        For the first hash (in sorted order) that is not the file's.
    """
    instrument = registry.get(ref)
    for sha256, count in sorted(hashes.items()):
        check_pinned(registry, ref, sha256, responses=count)
    return instrument


def validate(paths: Iterable[Path] | None = None) -> tuple[Registry, list[InstrumentIssue]]:
    """Read every instrument under ``paths`` and run all single- and cross-file checks.

    Returns the registry of files that loaded and every issue found (warnings included).
    """
    roots = list(paths) if paths is not None else [instruments_dir()]
    registry = Registry()
    issues: list[InstrumentIssue] = []
    for root in roots:
        if not root.exists():
            issues.append(
                InstrumentIssue("I100", "no such file or folder", file=relative_name(root))
            )
    files = [f for f in instrument_files(r for r in roots if r.exists()) if f.name != LOCK_NAME]
    for file in files:
        reading = read_instrument(file)
        issues.extend(reading.issues)
        if reading.valid and reading.instrument is not None:
            registry.add(reading.instrument, file, reading.lines)
    # Cross-file issues learn their YAML line from the file they point into.
    for issue in _cross_checks(registry):
        if issue.line is None:
            key = next(
                (k for k, f in registry.files.items() if relative_name(f) == issue.file), None
            )
            if key is not None:
                issue = replace(issue, line=registry.lines[key].line(issue.path))
        issues.append(issue)
    return registry, issues


def _cross_checks(registry: Registry) -> list[InstrumentIssue]:
    issues: list[InstrumentIssue] = []
    owner: dict[str, str] = {}
    locks: dict[Path, dict[str, str]] = {}
    for instrument in registry:
        file = registry.files[instrument.key]
        name = relative_name(file)
        # Item ids belong to one instrument (the same id across versions is the same item).
        for s_index, scale in enumerate(instrument.scales):
            for i_index, item in enumerate(scale.items):
                first = owner.setdefault(item.id, instrument.id)
                if first != instrument.id:
                    issues.append(
                        InstrumentIssue(
                            "I408",
                            f"item id {item.id!r} already belongs to instrument {first!r}",
                            file=name,
                            path=("scales", s_index, "items", i_index, "id"),
                        )
                    )
            for l_index, link in enumerate(scale.supported_by):
                if not registry.find_scale(link):
                    issues.append(
                        InstrumentIssue(
                            "I208",
                            f"linked scale {link!r} does not exist",
                            file=name,
                            path=("scales", s_index, "supported_by", l_index),
                        )
                    )
        # Lineage: the comparability mapping points at an existing earlier version.
        if instrument.comparability is not None:
            issues.extend(_check_comparability(registry, instrument, name))
        # Published versions are immutable.
        lock_path = _lock_path(file)
        if lock_path is not None:
            if lock_path not in locks:
                locks[lock_path], lock_issues = read_lock(lock_path)
                issues.extend(lock_issues)
            recorded = locks[lock_path].get(instrument.key)
            if recorded is not None and recorded != instrument.sha256:
                issues.append(
                    InstrumentIssue(
                        "I403",
                        f"{instrument.key} was published with sha256 {recorded[:12]}... "
                        f"but the file now hashes to {instrument.sha256[:12]}...",
                        file=name,
                    )
                )
            elif recorded is None:
                issues.append(
                    InstrumentIssue(
                        "I403",
                        f"{instrument.key} is not published yet (not in {LOCK_NAME})",
                        file=name,
                        severity="warning",
                        hint=f"run 'cocreate instruments publish {instrument.key}' once final",
                    )
                )
    return issues


def _check_comparability(
    registry: Registry, instrument: Instrument, name: str
) -> list[InstrumentIssue]:
    mapping = instrument.comparability
    if mapping is None:
        return []
    issues: list[InstrumentIssue] = []
    previous = registry.instruments.get(instrument.id, {}).get(mapping.previous_version)
    if previous is None:
        return [
            InstrumentIssue(
                "I404",
                f"previous version {mapping.previous_version} of {instrument.id} not found",
                file=name,
                path=("comparability", "previous_version"),
            )
        ]
    current_ids, previous_ids = set(instrument.item_ids), set(previous.item_ids)
    for item_id, previous_id in mapping.items.items():
        if item_id not in current_ids:
            issues.append(
                InstrumentIssue(
                    "I405",
                    f"item {item_id!r} is not in {instrument.key}",
                    file=name,
                    path=("comparability", "items", item_id),
                )
            )
        if previous_id not in previous_ids:
            issues.append(
                InstrumentIssue(
                    "I405",
                    f"item {previous_id!r} is not in {previous.key}",
                    file=name,
                    path=("comparability", "items", item_id),
                )
            )
    return issues


def load_registry(paths: Iterable[Path] | None = None) -> Registry:
    """The registry, or :class:`InstrumentError` with every error found."""
    registry, issues = validate(paths)
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors:
        raise InstrumentError(errors)
    return registry


_CACHE: dict[str, Registry] = {}


def default_registry() -> Registry:
    """The shipped instruments, loaded once per process."""
    key = str(instruments_dir().resolve())
    if key not in _CACHE:
        _CACHE[key] = load_registry([Path(key)])
    return _CACHE[key]


def get_instrument(ref: str) -> Instrument:
    """``id`` or ``id@version`` from the shipped instruments."""
    return default_registry().get(ref)


def publish(ref: str, root: Path | None = None) -> tuple[Instrument, bool]:
    """Record a version's hash in the lock file; returns (instrument, newly published)."""
    root = root or instruments_dir()
    registry = load_registry([root])
    instrument = registry.get(ref)
    lock_path = root / LOCK_NAME
    lock, issues = read_lock(lock_path) if lock_path.exists() else ({}, [])
    if issues:
        raise InstrumentError(issues)
    if lock.get(instrument.key) == instrument.sha256:
        return instrument, False
    lock[instrument.key] = instrument.sha256
    write_lock(lock_path, lock)
    return instrument, True
