"""Files the app hands out as one download: a dataset export packed as a ZIP archive."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from survey.exports.dataset import ExportFilters, ResponseTableLike
from survey.exports.export import export_dataset
from survey.instrument.registry import Registry


@dataclass(frozen=True)
class Archive:
    """A ZIP archive in memory: its suggested file name, bytes and the files it holds."""

    name: str
    data: bytes
    files: list[str]


def export_archive(
    table: ResponseTableLike,
    registry: Registry,
    fmt: str,
    *,
    instrument: str | None = None,
    language: str = "en",
) -> Archive:
    """:func:`survey.exports.export.export_dataset` into a temporary folder, zipped.

    Parameters
    ----------
    table : ResponseTable
        The responses to export (``store.responses(...)``).
    registry : Registry
        The instruments.
    fmt : str
        An export format name (``csv``, ``parquet``, ``sav``, ``dta``, ``datapackage``).
    instrument : str, optional
        ``id@version`` the table was read for, recorded in the codebook and the file name.
    language : str
        Language of labels.

    Returns
    -------
    Archive
        Every file the export wrote (data, codebook), with paths relative to the export folder.
    """
    with tempfile.TemporaryDirectory() as folder:
        result = export_dataset(
            table,
            registry,
            fmt,
            folder,
            language=language,
            filters=ExportFilters(instrument=instrument),
        )
        buffer = io.BytesIO()
        names = []
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in result.files:
                name = str(Path(path).relative_to(folder))
                archive.write(path, name)
                names.append(name)
    suffix = instrument.replace("@", "-") if instrument else "all"
    return Archive(name=f"cocreate-{fmt}-{suffix}.zip", data=buffer.getvalue(), files=names)
