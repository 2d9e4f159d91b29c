"""Alembic migrations of the collection database (run by :func:`survey.storage.open_store`)."""
