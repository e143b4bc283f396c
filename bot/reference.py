"""Reference documents generated from the code, so they cannot drift from it: `python -m bot.reference`.

- docs/configuration-reference.md: every configuration key, from the settings models
  (`bot.config`): its type, whether it is required or its default, and what it is (the
  model's docstring and the comment written beside the key).
- docs/schemas/<view>.schema.json: the JSON Schema of each `--json` view (`bot.views`).

`python -m bot.reference --check` exits 1 when a committed file differs from what the
code generates (make test runs the same comparison).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from bot.config import Settings
from bot.views import VIEWS, json_schema

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = Path("docs") / "configuration-reference.md"
SCHEMAS = Path("docs") / "schemas"
_INTERNAL = {"source"}  # set by the loader, not by the file


def documents() -> dict[Path, str]:
    """Each generated file (relative to the repository) and its text."""
    files = {CONFIGURATION: configuration_reference()}
    for name in VIEWS:
        files[SCHEMAS / f"{name}.schema.json"] = json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"
    return files


def configuration_reference() -> str:
    lines = ["# Configuration reference", "",
             "Generated from the settings models in `bot/config.py` by `python -m bot.reference`; do not edit by "
             "hand (`make test` fails when this file and the code disagree). What each setting is for, with "
             "examples, is in [configuration.md](configuration.md); the shipped `config/cassbot.toml` sets "
             "every required key.", "",
             "A section is required when it has a required key and no default; `[[name]]` is a list of tables.", ""]
    for section, model, required, is_list in _sections(Settings):
        title = f"[[{section}]]" if is_list else f"[{section}]"
        lines += [f"## `{title}` ({'required' if required else 'optional'})", ""]
        if model.__doc__ and model.__doc__ is not BaseModel.__doc__:
            lines += [" ".join(model.__doc__.split()), ""]
        lines += ["| key | type | required / default | what it is |", "|---|---|---|---|"]
        comments = _comments(model)
        for name, info in model.model_fields.items():
            if name in _INTERNAL or _model_of(info.annotation):
                continue
            kind = " ".join(filter(None, (_type(info.annotation), _limits(info))))
            lines.append(f"| `{name}` | {kind} | {_default(info)} | {comments.get(name, '')} |")
        lines.append("")
    return "\n".join(lines)


def _sections(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, type[BaseModel], bool, bool]]:
    for name, info in model.model_fields.items():
        nested = _model_of(info.annotation)
        if nested is None:
            continue
        key = f"{prefix}{name}"
        yield key, nested, info.is_required(), _is_list(info.annotation)
        yield from _sections(nested, f"{key}.")


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The settings model a field holds (alone, optional, or as a list of them), else None."""
    for arg in (annotation, *typing.get_args(annotation)):
        if inspect.isclass(arg) and issubclass(arg, BaseModel):
            return arg
    return None


def _is_list(annotation: object) -> bool:
    return typing.get_origin(annotation) is tuple and _model_of(annotation) is not None


def _type(annotation: object) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is typing.Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin is tuple:
        return f"list of {_type(args[0])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a) for a in args if a is not type(None)) + " (may be left out)"
    names = {str: "string", int: "integer", float: "number", bool: "true or false"}
    if annotation in names:
        return names[annotation]
    return {"date": "date (YYYY-MM-DD)", "time": 'time (`"17:00"` or `17:00:00`)'}.get(
        getattr(annotation, "__name__", ""), str(annotation))


_LIMITS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


def _limits(info: FieldInfo) -> str:
    """The bounds a value must keep ("> 0", "at least 1"), as the settings model checks them."""
    found = []
    for constraint in info.metadata:
        for name, sign in _LIMITS.items():
            if getattr(constraint, name, None) is not None:
                found.append(f"{sign} {getattr(constraint, name)}")
        if getattr(constraint, "min_length", None):
            found.append(f"at least {constraint.min_length}")
    return f"({', '.join(found)})" if found else ""


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.get_default(call_default_factory=True)
    if value is PydanticUndefined or value is None:
        return "not set"
    if isinstance(value, tuple):
        return f"`{json.dumps(list(value), default=str)}`"
    if isinstance(value, BaseModel):
        return "its defaults"
    return f"`{json.dumps(value, default=str)}`"


_FIELD = re.compile(r"^\s+(\w+)\s*:")


def _comments(model: type[BaseModel]) -> dict[str, str]:
    """The comment written on a key's line, or on the lines just above it, in the source of the model (or of
    the model it inherits the key from)."""
    found: dict[str, str] = {}
    for cls in reversed([c for c in model.__mro__ if issubclass(c, BaseModel) and c is not BaseModel]):
        found.update({k: v for k, v in _own_comments(cls, model).items() if v or k not in found})
    return found


def _own_comments(cls: type[BaseModel], model: type[BaseModel]) -> dict[str, str]:
    found: dict[str, str] = {}
    above: list[str] = []
    for line in inspect.getsource(cls).splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("# "))
            continue
        field = _FIELD.match(line)
        if field and field.group(1) in model.model_fields:
            beside = line.split("  # ", 1)[1] if "  # " in line else ""
            found[field.group(1)] = " ".join([*above, beside]).strip().replace("|", "\\|")
        above = []
    return found


def main(argv: Sequence[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = []
    for path, text in documents().items():
        target = ROOT / path
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(str(path))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(f"wrote {path}")
    if stale:
        print("out of date (run `python -m bot.reference`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
