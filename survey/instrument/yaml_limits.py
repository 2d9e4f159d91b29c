"""Loading YAML from files a user (or an attacker) gave, within bounded time and memory.

Every YAML (or JSON) file cocreate reads from outside the package goes through this module:
instrument files, the lock file ``instruments.lock`` and the mapping files of
``cocreate import``. Before a single Python object is built, :func:`check_limits` walks the
parser's event stream once and refuses the text when

* it is longer than ``COCREATE_MAX_YAML_BYTES`` (:func:`read_limited_text` stops reading there),
* its mappings and lists nest deeper than ``COCREATE_MAX_YAML_DEPTH``, or
* it holds more values than ``COCREATE_MAX_YAML_NODES`` *with every alias expanded*: the size of
  each anchored value is remembered once, so the count is linear in the text, and it stops at
  the first alias that goes past the limit. Nine lines of nested aliases ("billion laughs")
  that would expand to gigabytes are refused in milliseconds, located at that alias.

An alias inside the value it names (a cycle) is refused the same way: it would expand forever.
The refusal is a :class:`YamlLimitError` with the line, the limit and the setting that raises
it; callers turn it into their own located problem (an instrument issue, a file problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from survey import settings

#: libyaml when it is there (fast, and its event stream is what the limits are counted on).
BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: The deepest nesting ever read, whatever ``COCREATE_MAX_YAML_DEPTH`` says: the line map and
#: the checks walk the document recursively, and Python stops at about 1000 frames.
DEPTH_CEILING = 500


class Limit(Enum):
    """Which limit a text went past; the value is the setting that raises it."""

    BYTES = "max_yaml_bytes"
    DEPTH = "max_yaml_depth"
    NODES = "max_yaml_nodes"

    @property
    def env(self) -> str:
        """The environment variable of the limit's setting."""
        return next(s.env for s in settings.SETTINGS if s.name == self.value)


@dataclass(frozen=True)
class YamlLimits:
    """The three limits; :meth:`from_settings` reads them from the environment."""

    max_bytes: int
    max_nodes: int
    max_depth: int

    @classmethod
    def from_settings(cls) -> YamlLimits:
        """The limits set by ``COCREATE_MAX_YAML_BYTES``, ``_NODES`` and ``_DEPTH``.

        Returns
        -------
        YamlLimits

        Examples
        --------
        >>> YamlLimits.from_settings().max_depth >= 16
        True
        """
        return cls(
            max_bytes=settings.limit(Limit.BYTES.value),
            max_nodes=settings.limit(Limit.NODES.value),
            max_depth=min(settings.limit(Limit.DEPTH.value), DEPTH_CEILING),
        )


class YamlLimitError(Exception):
    """A text refused by a limit: which one, the line (1-based) where it was passed, a message
    that names the limit, and how to raise it (:attr:`fix`)."""

    def __init__(self, limit: Limit, message: str, line: int | None = None) -> None:
        self.limit = limit
        self.message = message
        self.line = line
        super().__init__(message)

    @property
    def fix(self) -> str:
        """What to change, and how to read the file anyway (when it is trusted)."""
        first = {
            Limit.BYTES: "shorten the file",
            Limit.DEPTH: "nest mappings and lists less deeply",
            Limit.NODES: "write values out instead of nesting aliases (&name, *name)",
        }[self.limit]
        return f"{first}; if the file is trusted and really needs more, raise {self.limit.env}"


def read_limited_text(path: Path, limits: YamlLimits | None = None) -> str:
    """Read a UTF-8 text file, refusing it once it is longer than ``max_bytes``.

    At most ``max_bytes + 1`` bytes are read, whatever the file claims to be (a device, a file
    that grows).

    Parameters
    ----------
    path : Path
        The file.
    limits : YamlLimits, optional
        The limits; :meth:`YamlLimits.from_settings` when omitted.

    Returns
    -------
    str
        The text.

    Raises
    ------
    YamlLimitError
        The file is longer than the byte limit.
    OSError, UnicodeDecodeError
        The file cannot be read, or is not UTF-8.
    """
    limits = limits or YamlLimits.from_settings()
    with path.open("rb") as handle:
        raw = handle.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise YamlLimitError(
            Limit.BYTES, f"the file is longer than {limits.max_bytes:,} bytes, the most read"
        )
    return raw.decode("utf-8")


#: The nesting libyaml itself refuses to parse past.
_LIBYAML_DEPTH = 1000
_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check_limits(text: str, limits: YamlLimits | None = None, loader: Any = None) -> None:
    """Refuse a YAML text that goes past a limit, without building any Python object.

    One pass over the parser's events: the expanded size and depth of every anchored value are
    remembered when it ends, so an alias adds them in constant time.

    Parameters
    ----------
    text : str
        The YAML (or JSON) text.
    limits : YamlLimits, optional
        The limits; :meth:`YamlLimits.from_settings` when omitted.
    loader : type, optional
        The loader class whose parser is used (default: libyaml's safe loader).

    Raises
    ------
    YamlLimitError
        Located at the line where the limit was passed.
    yaml.YAMLError
        The text is not valid YAML.

    Examples
    --------
    >>> check_limits("a: &x [1, 2]\\nb: *x\\n")
    >>> laughs = "a: &a [x, x]\\nb: &b [*a, *a]\\nc: [*b, *b]\\n"
    >>> check_limits(laughs, YamlLimits(max_bytes=1000, max_nodes=12, max_depth=8))
    Traceback (most recent call last):
    ...
    survey.instrument.yaml_limits.YamlLimitError: aliases expand the file to more than 12 values...
    """
    limits = limits or YamlLimits.from_settings()
    if len(text) > limits.max_bytes and len(text.encode("utf-8")) > limits.max_bytes:
        raise YamlLimitError(
            Limit.BYTES, f"the file is longer than {limits.max_bytes:,} bytes, the most read"
        )
    parser = (loader or BaseLoader)(text)
    # One frame per open mapping or list: [anchor, expanded size, expanded depth below it].
    stack: list[list[Any]] = []
    sizes: dict[str, tuple[int, int]] = {}
    total = 0
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                return
            line = event.start_mark.line + 1
            if isinstance(event, _ENDS):
                anchor, size, below = stack.pop()
                if anchor is not None:
                    sizes[anchor] = (size, below + 1)
                if stack:
                    stack[-1][1] += size
                    stack[-1][2] = max(stack[-1][2], below + 1)
                continue
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in sizes:
                    open_anchors = {frame[0] for frame in stack}
                    if event.anchor in open_anchors:
                        raise YamlLimitError(
                            Limit.NODES,
                            f"alias *{event.anchor} lies inside the value it names, so it "
                            "expands without end",
                            line,
                        )
                    continue  # an undefined alias: the composer reports it as invalid YAML
                size, depth = sizes[event.anchor]
                what = f"alias *{event.anchor}"
            elif isinstance(event, (yaml.ScalarEvent, *_STARTS)):
                size, depth = 1, 0
                what = "this value"
            else:
                continue
            total += size
            if total > limits.max_nodes:
                raise YamlLimitError(
                    Limit.NODES,
                    f"aliases expand the file to more than {limits.max_nodes:,} values "
                    f"({what} brings it to {total:,})"
                    if isinstance(event, yaml.AliasEvent)
                    else f"the file holds more than {limits.max_nodes:,} values",
                    line,
                )
            if len(stack) + depth > limits.max_depth or (
                isinstance(event, _STARTS) and len(stack) + 1 > limits.max_depth
            ):
                raise YamlLimitError(
                    Limit.DEPTH,
                    f"mappings and lists nest more than {limits.max_depth} deep here"
                    + (f" ({what} expanded)" if isinstance(event, yaml.AliasEvent) else ""),
                    line,
                )
            if isinstance(event, _STARTS):
                stack.append([event.anchor, 1, 0])
            else:
                if stack:
                    stack[-1][1] += size
                    stack[-1][2] = max(stack[-1][2], depth)
                anchor = getattr(event, "anchor", None)
                if isinstance(event, yaml.ScalarEvent) and anchor is not None:
                    sizes[anchor] = (1, 0)
    except yaml.YAMLError as exc:
        # libyaml refuses to nest deeper than 1000 itself, and its scanner may get there before
        # the parser hands over the event at our limit: the same refusal, not "invalid YAML".
        if "maximum nesting depth" not in str(exc):
            raise
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise YamlLimitError(
            Limit.DEPTH,
            f"mappings and lists nest more than {min(limits.max_depth, _LIBYAML_DEPTH)} deep here",
            mark.line + 1 if mark is not None else None,
        ) from None
    finally:
        parser.dispose()


def safe_load(text: str, limits: YamlLimits | None = None) -> Any:
    """Build the Python value of a YAML (or JSON) text once it is within the limits.

    Parameters
    ----------
    text : str
        The text.
    limits : YamlLimits, optional
        The limits; :meth:`YamlLimits.from_settings` when omitted.

    Returns
    -------
    Any
        What :func:`yaml.safe_load` returns (``None`` for an empty text).

    Raises
    ------
    YamlLimitError
        The text goes past a limit.
    yaml.YAMLError
        The text is not valid YAML.
    ValueError
        A value cannot be built (a whole number with thousands of digits).

    Examples
    --------
    >>> safe_load('{"a@1.0.0": "9f"}')
    {'a@1.0.0': '9f'}
    """
    check_limits(text, limits)
    return yaml.load(text, Loader=BaseLoader)  # BaseLoader is a safe loader
