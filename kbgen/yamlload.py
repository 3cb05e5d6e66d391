"""Safe YAML loading that keeps line numbers and refuses duplicate keys.

Front matter, kbgen.yml, _category.yml and _guide.yml all go through here, so every
YAML problem is reported the same way: file, line inside the file, and a hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode

from kbgen.diagnostics import Diagnostics


@dataclass
class YamlMapping:
    data: dict[str, Any]  # the constructed top-level mapping ({} when empty)
    lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line in the file
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # list-valued key -> line of each item
    child_lines: dict[str, dict[str, int]] = field(default_factory=dict)  # mapping-valued key -> its keys' lines

    def item_line(self, key: str, index: int) -> int | None:
        """The line of item INDEX of list KEY, else the key's own line."""
        items = self.item_lines.get(key, [])
        return items[index] if index < len(items) else self.lines.get(key)


def _nested_key_lines(node: MappingNode, line_offset: int, prefix: str = "") -> dict[str, int]:
    """Lines of the keys below NODE, at every depth, by dotted path ("colors.primary")."""
    out: dict[str, int] = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            path = f"{prefix}{key.value}"
            out[path] = key.start_mark.line + 1 + line_offset
            if isinstance(value, MappingNode):
                out.update(_nested_key_lines(value, line_offset, path + "."))
    return out


class DuplicateKeyError(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key '{key}'", mark)
        self.first_line = first_line  # 0-based line of the first occurrence within the YAML text


_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 5-10x faster


class _Loader(_BASE):  # type: ignore[valid-type,misc]
    """SafeLoader that reports a duplicate key anywhere in the document."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                hash(key)
            except TypeError:
                continue
            if key in seen:
                raise DuplicateKeyError(key, seen[key], key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        """An impossible date (2026-13-01) stays text, so the schema reports it at its key."""
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[no-untyped-call]
        except ValueError:
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_mapping(text: str, file: str, diags: Diagnostics, *, line_offset: int = 0,
                 what: str = "YAML") -> YamlMapping | None:
    """Parse TEXT as a YAML mapping; report problems and return None when it is unusable.

    LINE_OFFSET is the number of lines before TEXT in FILE (1 for front matter after `---`).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({})
        if not isinstance(node, MappingNode):
            diags.error(f"{what} must be a mapping of 'key: value' lines, not a {_kind(node)}",
                        file, node.start_mark.line + 1 + line_offset,
                        hint="write one 'key: value' per line, e.g. 'title: Lieferzeiten'", code="yaml-not-mapping")
            return None
        lines: dict[str, int] = {}
        item_lines: dict[str, list[int]] = {}
        child_lines: dict[str, dict[str, int]] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1 + line_offset
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                diags.error(f"{what} keys must be words, not {key_node.value!r}", file, line,
                            hint="write the key as a word, e.g. 'title:'", code="yaml-key")
                return None
            lines[key_node.value] = line
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[key_node.value] = [n.start_mark.line + 1 + line_offset for n in value_node.value]
            elif isinstance(value_node, MappingNode):
                child_lines[key_node.value] = _nested_key_lines(value_node, line_offset)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "check the indentation and quote values that contain ':' or start with a special character"
        if isinstance(exc, DuplicateKeyError):
            problem += f" (first at line {exc.first_line + 1 + line_offset})"
            hint = "remove or rename one of the two keys"
        diags.error(f"invalid {what}: {problem}", file, line, column=column, hint=hint, code="yaml-syntax")
        return None
    except yaml.YAMLError as exc:
        diags.error(f"invalid {what}: {exc}", file, code="yaml-syntax")
        return None
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
    return YamlMapping(data, lines, item_lines, child_lines)


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "single value"
