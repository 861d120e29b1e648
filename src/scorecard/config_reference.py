"""The config reference, generated from the config model so that the docs cannot drift from the code."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from scorecard.config import CardConfig


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is None:
        return getattr(annotation, "__name__", str(annotation))
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, types.UnionType):
        names = " | ".join(_type_name(a) for a in args)
        return f"{names} | null" if len(args) < len(get_args(annotation)) else names
    if str(origin).endswith("Literal"):
        return " | ".join(repr(a) for a in get_args(annotation))
    return f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(a) for a in args)}]"


def _default(field: Any) -> str:
    if field.default is not PydanticUndefined:
        value = field.default
    elif field.default_factory is not None:
        value = field.default_factory()
    else:
        return "required"
    if isinstance(value, BaseModel):
        return "(section)"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} entries"
    return f"`{value!r}`"


def _sections(model: type[BaseModel], prefix: str) -> list[tuple[str, type[BaseModel]]]:
    found = [(prefix, model)]
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        for arg in (field.annotation, *get_args(field.annotation)):
            for inner in (arg, *get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found += _sections(inner, f"{prefix}.{name}" if prefix else name)
    return found


def config_reference() -> str:
    """Markdown listing every key of a card config: type, default and meaning."""
    lines = [
        "# Config reference",
        "",
        "Generated from `scorecard.config.CardConfig` by `scorecard config reference`; do not edit by hand.",
        "Unknown keys are errors. Relative paths resolve against the config file's folder.",
    ]
    seen: set[str] = set()
    for prefix, model in _sections(CardConfig, ""):
        if prefix in seen:
            continue
        seen.add(prefix)
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        lines += [
            "",
            f"## `{prefix or '<top level>'}`",
            "",
            doc,
            "",
            "| key | type | default | meaning |",
            "|---|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            meaning = (field.description or "").replace("|", "\\|")
            type_name = _type_name(field.annotation).replace("|", "\\|")
            lines.append(f"| `{name}` | {type_name} | {_default(field)} | {meaning} |")
    return "\n".join(lines) + "\n"
