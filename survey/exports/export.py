"""``export_dataset``: one call from a response table to a folder of files with their codebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey import settings
from survey.exports.codebook import build_codebook, write_codebook
from survey.exports.dataset import Dataset, ExportFilters, ResponseTableLike, prepare_dataset
from survey.exports.formats import get_format
from survey.exports.pseudonyms import pseudonym_secret
from survey.instrument.registry import Registry, default_registry


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
    registry : survey.instrument.registry.Registry or None
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
        ``min_cohort`` setting (:func:`survey.settings.min_cohort`, never below 3).
    progress : bool
        Show a tqdm progress bar over the instrument versions (for the CLI).

    Returns
    -------
    ExportResult
    """
    get_format(fmt)  # an unknown format fails before any work
    registry = registry or default_registry()
    if secret is None:
        secret_source = "setting" if settings.get("pseudonym_secret") else "key file"
        secret = pseudonym_secret()
    else:
        secret_source = "caller"
    cohort = int(min_cohort if min_cohort is not None else settings.min_cohort())
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
    return write_export(dataset, fmt, out_dir, secret_source=secret_source)


def write_export(
    dataset: Dataset, fmt: str, out_dir: Path | str, *, secret_source: str = "caller"
) -> ExportResult:
    """Write a prepared dataset in one format with its codebook.

    :func:`export_dataset` is :func:`~survey.exports.dataset.prepare_dataset` followed by this;
    call the two separately to write one prepared dataset in several formats.

    Parameters
    ----------
    dataset : survey.exports.dataset.Dataset
        From :func:`~survey.exports.dataset.prepare_dataset`.
    fmt : str
        One of :data:`survey.exports.formats.FORMAT_NAMES`.
    out_dir : path
        Folder to write into (created when missing).
    secret_source : str
        Where the pseudonym secret came from, for the codebook.

    Returns
    -------
    ExportResult
    """
    writer = get_format(fmt)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder to write the export into")
    out.mkdir(parents=True, exist_ok=True)
    entries = writer.writer(dataset, out)
    codebook = build_codebook(dataset, fmt, entries, secret_source=secret_source)
    files = [out / entry["path"] for entry in entries]
    if fmt == "datapackage":
        files.append(out / "datapackage.json")
    files += write_codebook(codebook, out)
    return ExportResult(format=fmt, out_dir=out, files=files, codebook=codebook)


def export_archive(
    table: ResponseTableLike,
    registry: Registry | None,
    fmt: str,
    **options: Any,
) -> tuple[bytes, ExportResult]:
    """An export as one ZIP archive in memory, for a download button (the Research page).

    Takes the arguments of :func:`export_dataset` (``out_dir`` excepted) and returns the ZIP's
    bytes and the :class:`ExportResult` (whose paths pointed into a folder that no longer
    exists; read the codebook from ``result.codebook``).
    """
    import io
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="cocreate-export-") as folder:
        result = export_dataset(table, registry, fmt, folder, **options)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in result.files:
                archive.write(path, arcname=f"cocreate-{fmt}/{path.name}")
    return buffer.getvalue(), result
