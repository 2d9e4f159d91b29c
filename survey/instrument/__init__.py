"""The instrument layer, the bottom of the package: imports nothing else from the project.

An instrument is a versioned questionnaire kept as data (YAML). This layer holds its pydantic
model (:mod:`~survey.instrument.model`), reading and validating one file with coded, located
issues (:mod:`~survey.instrument.checks`, catalogue in :mod:`~survey.instrument.errors`), the
registry of every version with its lock file (:mod:`~survey.instrument.registry`), what changed
between two versions (:mod:`~survey.instrument.diff`), checking one answer against its item
(:mod:`~survey.instrument.answers`) and a small public example (:mod:`~survey.instrument.examples`).
:mod:`scoring` may import it; nothing here imports :mod:`scoring`.
"""
