"""Every request the Graph fake receives, checked against Microsoft Graph v1.0's own metadata (the extract in
graph_metadata_v1.0.xml): the path is one the metadata has (navigation properties, the bound actions and
functions, `$value`), `$select`, `$expand` and `$filter` name properties the entity type has, an enum gets one of
its members, and a JSON body carries only the entity's properties or the action's parameters.

`problems()` returns what is wrong with one request (nothing when it is well formed); the fake keeps them in
`GraphServer.violations`, and the Graph tests fail on any.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
EXTRACT = Path(__file__).with_name("graph_metadata_v1.0.xml")
# The user entity is not in the extract: the navigation properties of it the bot uses.
USER_NAVIGATION = {"messages": "message", "mailFolders": "mailFolder", "outlook": "outlookUser"}
SINGLE_VALUED = {"outlook"}  # user/outlook is one entity, not a collection: no key follows it
QUERY_OPTIONS = {"$select", "$filter", "$top", "$expand", "$skip", "$deltatoken", "$skiptoken", "$orderby"}
DELTA_OPTIONS = {"changeType"}  # msgraph-metadata's preprocess_csdl.xsl: the custom query option of message delta


@dataclass
class Type:
    properties: dict[str, str] = field(default_factory=dict)  # name -> type
    navigation: dict[str, str] = field(default_factory=dict)  # name -> entity type


@dataclass
class Metadata:
    types: dict[str, Type]
    enums: dict[str, set[str]]
    actions: dict[tuple[str, str], dict[str, str]]  # (bound type, name) -> parameter name (lower case) -> type
    functions: set[tuple[str, str]]


@cache
def metadata() -> Metadata:
    schema = next(ET.parse(EXTRACT).getroot().iter(f"{EDM}Schema"))
    raw: dict[str, tuple[str | None, Type]] = {}
    for kind in ("EntityType", "ComplexType"):
        for element in schema.iter(f"{EDM}{kind}"):
            navigation = element.iter(f"{EDM}NavigationProperty")
            found = Type({p.get("Name", ""): p.get("Type", "") for p in element.iter(f"{EDM}Property")},
                         {n.get("Name", ""): _bare(n.get("Type", "")) for n in navigation})
            raw[element.get("Name", "")] = (element.get("BaseType"), found)
    types = {name: _inherited(name, raw) for name in raw}
    enums = {e.get("Name", ""): {m.get("Name", "") for m in e.iter(f"{EDM}Member")}
             for e in schema.iter(f"{EDM}EnumType")}
    actions = {}
    for action in schema.iter(f"{EDM}Action"):
        params = list(action.iter(f"{EDM}Parameter"))
        actions[(_bare(params[0].get("Type", "")), action.get("Name", ""))] = {
            p.get("Name", "").lower(): p.get("Type", "") for p in params[1:]}
    functions = {(_bare(f.find(f"{EDM}Parameter").get("Type", "")), f.get("Name", ""))  # type: ignore[union-attr]
                 for f in schema.iter(f"{EDM}Function")}
    return Metadata(types, enums, actions, functions)


def _bare(type_name: str) -> str:
    return re.sub(r"^Collection\((.*)\)$", r"\1", type_name).removeprefix("graph.").removeprefix("microsoft.graph.")


def _inherited(name: str, raw: dict[str, tuple[str | None, Type]]) -> Type:
    base, own = raw[name]
    if not base:
        return Type(dict(own.properties), dict(own.navigation))
    parent = _inherited(_bare(base), raw)
    return Type({**parent.properties, **own.properties}, {**parent.navigation, **own.navigation})


def problems(method: str, path: str, query: dict[str, str], body: bytes, content_type: str) -> list[str]:
    """What in this request the metadata does not allow; `path` is what follows /v1.0/users/{address}/."""
    meta = metadata()
    found: list[str] = []
    target, action, is_delta = _resolve(path.split("/"), meta, found)
    for option in query:
        if option not in QUERY_OPTIONS and not (is_delta and option in DELTA_OPTIONS):
            found.append(f"{method} {path}: query option {option!r} is not OData's nor the function's")
    if target:
        found += _query_problems(meta, target, query)
    if body and content_type.startswith("application/json"):
        found += _body_problems(meta, target, action, json.loads(body))
    return [f"{method} {path}: {p}" if not p.startswith(method) else p for p in found]


def _resolve(segments: list[str], meta: Metadata, found: list[str]) -> tuple[str, str, bool]:
    """(the entity type the request is about, the bound action, whether it is delta), following navigation."""
    if not segments or segments[0] not in USER_NAVIGATION:
        found.append(f"user has no navigation property {segments[0] if segments else ''!r} in the extract")
        return "", "", False
    target, keyed = USER_NAVIGATION[segments[0]], segments[0] in SINGLE_VALUED
    for segment in segments[1:]:
        if (target, segment) in meta.actions:
            return target, segment, False
        if (target, segment) in meta.functions:
            return target, "", segment == "delta"
        if segment == "$value" and target == "message" and keyed:
            return "", "", False
        if keyed and segment in meta.types[target].navigation:
            target, keyed = meta.types[target].navigation[segment], False
        elif not keyed:
            keyed = True  # a key: an id, or a well-known folder's name
        else:
            found.append(f"{target} has no navigation property, action or function {segment!r}")
            return "", "", False
    return target, "", False


def _query_problems(meta: Metadata, target: str, query: dict[str, str]) -> list[str]:
    entity, found = meta.types[target], []
    for name in filter(None, query.get("$select", "").split(",")):
        if name not in entity.properties:
            found.append(f"$select: {target} has no property {name!r}")
    for name in re.findall(r"^(\w+)\(", query.get("$expand", "")):
        if name not in entity.navigation:
            found.append(f"$expand: {target} has no navigation property {name!r}")
    for name in re.findall(r"(?:^|\(|and |or )(\w+)(?:/any\(| eq | ge | gt )", query.get("$filter", "")):
        if name not in entity.properties and name not in entity.navigation:
            found.append(f"$filter: {target} has no property {name!r}")
    return found


def _body_problems(meta: Metadata, target: str, action: str, body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    if action:
        params = meta.actions[(target, action)]
        found = [f"{action} has no parameter {k!r}" for k in body if k.lower() not in params]
        inner = body.get("message")
        return found + (_properties(meta, "message", inner) if isinstance(inner, dict) else [])
    return _properties(meta, target or "message", body)


def _properties(meta: Metadata, target: str, value: dict[str, Any]) -> list[str]:
    entity, found = meta.types[target], []
    for name, given in value.items():
        if name.startswith("@odata."):
            continue
        kind = entity.properties.get(name) or entity.navigation.get(name)
        if kind is None:
            found.append(f"{target} has no property {name!r}")
            continue
        bare = _bare(kind)
        if bare in meta.enums and given not in meta.enums[bare]:
            found.append(f"{target}.{name}: {given!r} is not one of {sorted(meta.enums[bare])}")
        elif bare in meta.types and isinstance(given, dict):
            found += _properties(meta, bare, given)
        elif bare in meta.types and isinstance(given, list):
            found += [p for item in given if isinstance(item, dict) for p in _properties(meta, bare, item)]
    return found
