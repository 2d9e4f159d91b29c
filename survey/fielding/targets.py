"""The forms ``cocreate instruments export --to`` writes: one :class:`Target` per platform,
named in :data:`TARGETS`. A new platform adds its writer here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from survey.fielding.xlsform import convert_xlsform, write_xlsform
from survey.instrument.model import Instrument


@dataclass(frozen=True)
class Target:
    """A form format: its file extension, what takes it, and its writer (which checks what it
    wrote and returns notes for the user, one a line)."""

    suffix: str
    platforms: str
    write: Callable[[Instrument, Path], list[str]]


def _xlsform(instrument: Instrument, path: Path) -> list[str]:
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
    return notes


#: Form formats by the name ``--to`` takes.
TARGETS: dict[str, Target] = {
    "xlsform": Target(".xlsx", "KoboToolbox, ODK (XLSForm)", _xlsform),
}
