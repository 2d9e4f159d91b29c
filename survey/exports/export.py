"""``export_dataset``: one call from a response table to a folder of files with their codebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey import settings
from survey.exports.codebook import build_codebook, write_codebook
from survey.exports.dataset import ExportFilters, ResponseTableLike, prepare_dataset
from survey.exports.formats import get_format
from survey.exports.pseudonyms import pseudonym_secret
from survey.registry import Registry, default_registry


@dataclass
class ExportResult:
    """What an export wrote."""

    format: str
    out_dir: Path
    files: list[Path]
    codebook: dict[str, Any] = field(repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per kind (responses, respondents, organisations, campaigns, answers)."""
        return dict(self.codebook["counts"])


def export_dataset(
    table: ResponseTableLike,
    registry: Registry | None,
    fmt: str,
    out_dir: Path | str,
    *,
    language: str = "en",
    filters: ExportFilters | None = None,
    include_personal: bool = False,
    secret: bytes | None = None,
    min_cohort: int | None = None,
    progress: bool = False,
) -> ExportResult:
    """Export responses to ``out_dir`` in one format, with ``codebook.json`` and ``codebook.md``.

    Parameters
    ----------
    table : ResponseTableLike
        What :meth:`survey.storage.Store.responses` returns (or a hand-built equivalent).
    registry : survey.registry.Registry or None
        The instruments; ``None`` uses the shipped ones.
    fmt : str
        One of :data:`survey.exports.formats.FORMAT_NAMES`.
    out_dir : path
        Folder to write into (created when missing; files of the same name are replaced).
    language : str
        Language of variable and value labels.
    filters : ExportFilters, optional
        Which responses to export; recorded in the codebook.
    include_personal : bool
        Include organisation and campaign names (off by default; the codebook says so).
    secret : bytes, optional
        Pseudonym secret; default the deployment's (:func:`pseudonym_secret`).
    min_cohort : int, optional
        Smallest organisation count per industry, size band or region value; default the
        ``min_cohort`` setting.
    progress : bool
        Show a tqdm progress bar over the instrument versions (for the CLI).

    Returns
    -------
    ExportResult
    """
    writer = get_format(fmt)
    registry = registry or default_registry()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder to write the export into")
    out.mkdir(parents=True, exist_ok=True)
    if secret is None:
        secret_source = "setting" if settings.get("pseudonym_secret") else "key file"
        secret = pseudonym_secret()
    else:
        secret_source = "caller"
    cohort = int(min_cohort if min_cohort is not None else settings.get("min_cohort"))
    dataset = prepare_dataset(
        table,
        registry,
        secret=secret,
        language=language,
        filters=filters,
        include_personal=include_personal,
        min_cohort=cohort,
        progress=progress,
    )
    entries = writer.writer(dataset, out)
    codebook = build_codebook(dataset, fmt, entries, secret_source=secret_source)
    files = [out / entry["path"] for entry in entries]
    if fmt == "datapackage":
        files.append(out / "datapackage.json")
    files += write_codebook(codebook, out)
    return ExportResult(format=fmt, out_dir=out, files=files, codebook=codebook)
