"""Reading responses in, below storage and exports and above :mod:`scoring`:

* :mod:`~survey.ingest.files`: the one reader of response files (CSV/TSV, XLSX, Parquet);
* :mod:`~survey.ingest.mapping`: mapping files (column renames, answer recodes);
* :mod:`~survey.ingest.checks`: the one set of checks ``cocreate score`` and ``cocreate import``
  apply, with :mod:`~survey.ingest.problems` saying where and what is wrong;
* :mod:`~survey.ingest.table`: the response table's shape shared by storage, exports and
  scoring glue.
"""
