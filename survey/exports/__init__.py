"""Research exports: pseudonymised responses in CSV, Parquet, SPSS, Stata and Frictionless Data
Package form, each with a codebook. See ``docs/exports.md``."""

from survey.exports.dataset import ExportFilters, prepare_dataset
from survey.exports.export import ExportResult, export_archive, export_dataset, write_export
from survey.exports.formats import FORMAT_NAMES, FORMATS

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "ExportFilters",
    "ExportResult",
    "export_archive",
    "export_dataset",
    "prepare_dataset",
    "write_export",
]
