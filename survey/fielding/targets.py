"""The forms ``cocreate instruments export --to`` writes: one :class:`Target` per platform,
named in :data:`TARGETS`. A new platform adds its writer here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from survey.fielding import limesurvey
from survey.fielding.xlsform import convert_xlsform, write_xlsform
from survey.instrument.model import Instrument


@dataclass(frozen=True)
class Written:
    """What a writer says about the file it wrote: ``summary`` follows ``wrote PATH`` on the
    command's output line; ``notes`` are for the user, one a line."""

    summary: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A form format: its file extension, what takes it, and its writer (which checks what it
    wrote and says what it wrote)."""

    suffix: str
    platforms: str
    write: Callable[[Instrument, Path], Written]


def _xlsform(instrument: Instrument, path: Path) -> Written:
    form = write_xlsform(instrument, path)
    convert_xlsform(path)  # pyxform, as KoboToolbox and ODK convert it on upload
    renamed = {item: name for item, name in form.names.items() if item != name}
    notes = ["converted to an XForm by pyxform: it uploads to KoboToolbox and ODK"]
    if renamed:
        first = next(iter(renamed.items()))
        notes.append(
            f"{len(renamed)} item ids are question names with '-' as '_' (e.g. {first[0]} -> "
            f"{first[1]}); 'cocreate score' and 'cocreate import' map them back"
        )
    return Written(f" ({instrument.key}, {', '.join(instrument.languages)})", notes)


def _limesurvey(instrument: Instrument, path: Path) -> Written:
    rows = limesurvey.structure_rows(instrument)  # raises ValueError before anything is written
    limesurvey.write_structure(instrument, path)
    questions = len({row["name"] for row in rows if row["class"] == "Q"})
    return Written(
        f": {instrument.key} as a LimeSurvey survey structure ({questions} questions, "
        f"{len(instrument.items)} items, languages {', '.join(instrument.languages)})"
    )


#: Form formats by the name ``--to`` takes.
TARGETS: dict[str, Target] = {
    "xlsform": Target(".xlsx", "KoboToolbox, ODK (XLSForm)", _xlsform),
    "limesurvey": Target(".txt", "LimeSurvey (tab-separated survey structure)", _limesurvey),
}
