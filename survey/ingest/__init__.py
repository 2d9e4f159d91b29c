"""Reading responses in: the response table's shape (:mod:`~survey.ingest.table`) shared by
storage, exports and scoring glue. Below storage and exports, above :mod:`scoring`."""
