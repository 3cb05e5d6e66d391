"""HTML from markdown-it.rs syntax trees, written the way markdown-it-py writes it.

markdown-it.rs (through markdown-it-pyrs) parses about ten times faster than markdown-it-py,
but its tree cannot be changed and rendered again, and kbgen changes it (heading ids, link
markers, callouts, FAQ details). So the tree is rendered here, in one walk that subclasses
hook into. The output is byte-for-byte markdown-it-py's (commonmark preset with xhtmlOut,
plus mdit-py-plugins' footnotes and task lists with a <label>), which is what kbgen wrote
before and what its themes style, except where that was a slip: a code block or raw HTML
after the text of a tight list item starts on its own line, and `- [ ]<tab>x` gets its checkbox.
"""

from __future__ import annotations

from html import unescape
from typing import Any, Callable, Iterable, Sequence

from markdown_it_pyrs import MarkdownIt, Node

PLUGINS = ["table", "strikethrough", "footnote", "deflist", "tasklist"]
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_UNESCAPABLE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ALIGN = {"left": ' style="text-align:left"', "right": ' style="text-align:right"',
          "center": ' style="text-align:center"'}
# Inline nodes: a run of them among a block's children is what markdown-it-py calls an inline token.
INLINE = frozenset({"text", "text_special", "softbreak", "hardbreak", "em", "strong", "strikethrough", "code_inline",
                    "link", "autolink", "image", "html_inline", "footnote_ref", "todo_checkbox",
                    "footnote_ref_anchor"})


def make_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable_many(PLUGINS)  # type: ignore[arg-type]


def escape(text: str) -> str:
    return text.translate(_ESCAPE) if ("&" in text or "<" in text or ">" in text or '"' in text) else text


def attrs_html(attrs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in attrs)


def _unescape_info(info: str) -> str:
    """markdown-it-py's unescapeAll for a fence's info string: backslash escapes and entities."""
    if "\\" not in info and "&" not in info:
        return info
    out, i = [], 0
    while i < len(info):
        c = info[i]
        if c == "\\" and i + 1 < len(info) and info[i + 1] in _UNESCAPABLE:
            out.append(info[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return unescape("".join(out))


def _leading_inline(nodes: Sequence[Node]) -> list[Node]:
    run = []
    for node in nodes:
        if node.name not in INLINE:
            break
        run.append(node)
    return run


def plain_text(nodes: Iterable[Node]) -> str:
    """The text of inline nodes as markdown-it-py's renderInlineAsText gives it (an image's alt)."""
    parts: list[str] = []
    for node in nodes:
        name = node.name
        if name in ("text", "text_special"):
            parts.append(node.meta["content"])
        elif name in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif name == "html_inline":
            continue
        elif node.children:
            parts.append(plain_text(node.children))
    return "".join(parts)


Rule = Callable[[Any, Node], None]  # a renderer method, called with the renderer (of any subclass) and the node
_RULE_TABLES: dict[type, dict[str, Rule]] = {}  # per renderer class


def _rule_table(cls: type["HtmlRenderer"]) -> dict[str, Rule]:
    table = _RULE_TABLES.get(cls)
    if table is None:
        table = _RULE_TABLES[cls] = {name: getattr(cls, method) for name, method in cls.RULES.items()}
    return table


class HtmlRenderer:
    """Renders one tree; subclasses override a node's method to change what it becomes."""

    # node name -> the method that renders it; looked up on the class, so a subclass's override counts
    RULES: dict[str, str] = {
        "root": "children", "paragraph": "paragraph", "heading": "heading", "lheading": "heading",
        "blockquote": "blockquote", "bullet_list": "bullet_list", "ordered_list": "ordered_list",
        "list_item": "list_item", "code_block": "code_block", "fence": "fence", "hr": "hr",
        "html_block": "html_block", "html_inline": "html_inline", "text": "text", "text_special": "text",
        "softbreak": "softbreak", "hardbreak": "hardbreak", "em": "em", "strong": "strong",
        "strikethrough": "strikethrough", "code_inline": "code_inline", "link": "link", "autolink": "link",
        "image": "image", "table": "table", "thead": "table_section", "tbody": "table_section", "trow": "trow",
        "definition_list": "definition_list", "definition_term": "definition_term",
        "definition_description": "definition_description", "todo_checkbox": "todo_checkbox",
        "footnote_ref": "footnote_ref", "footnote_container": "footnote_container",
        "footnote_ref_anchor": "footnote_ref_anchor", "definition": "nothing",
    }

    def __init__(self) -> None:
        self.out: list[str] = []
        self.footnote_numbers: dict[int, int] = {}  # markdown-it.rs def_id -> number in order of first reference
        self.footnote_refs: dict[int, list[str]] = {}  # def_id -> the ids of its references, in order
        # plain functions, not bound methods: a writer holding its own bound methods would be a
        # reference cycle, which the build (collector off) would never free
        self._rules: dict[str, Rule] = _rule_table(type(self))

    def render(self, root: Node) -> str:
        self.render_node(root)
        return "".join(self.out)

    # --- plumbing ---------------------------------------------------------

    def render_node(self, node: Node) -> None:
        try:
            rule = self._rules[node.name]
        except KeyError:
            raise ValueError(f"markdown node '{node.name}' has no HTML rule") from None
        rule(self, node)

    def children(self, node: Node) -> None:
        render = self.render_node
        for child in node.children:
            render(child)

    def cr(self) -> None:
        """A line break unless the output already ends with one (markdown-it's block spacing)."""
        out = self.out
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    def block(self, tag: str, node: Node, attrs: str = "", inner_cr: bool = True) -> None:
        """A block element; ATTRS is its attribute HTML (only task lists set attributes on the tree's nodes)."""
        out = self.out
        if out and out[-1][-1:] != "\n":
            out.append("\n")
        children = node.children
        out.append(f"<{tag}{attrs}>\n" if inner_cr and children else f"<{tag}{attrs}>")
        render = self.render_node
        for child in children:
            render(child)
        if inner_cr and children and out[-1][-1:] != "\n":
            out.append("\n")
        out.append(f"</{tag}>\n")

    def inline_run(self, nodes: Sequence[Node]) -> None:
        """Called with each run of inline nodes (what markdown-it-py calls an inline token) before it renders."""

    def wrap(self, tag: str, node: Node, attrs: str = "") -> None:
        self.out.append(f"<{tag}{attrs}>")
        self.children(node)
        self.out.append(f"</{tag}>")

    # --- blocks -----------------------------------------------------------

    def paragraph(self, node: Node) -> None:
        self.inline_run(node.children)
        self.block("p", node, inner_cr=False)

    def heading(self, node: Node, attrs: str = "") -> None:
        self.block(f"h{node.meta['level']}", node, attrs, inner_cr=False)

    def blockquote(self, node: Node, tag: str = "blockquote", attrs: str = "") -> None:
        self.block(tag, node, attrs)

    def bullet_list(self, node: Node) -> None:
        self.block("ul", node, attrs_html(node.attrs.items()))

    def ordered_list(self, node: Node) -> None:
        start = node.meta.get("start", 1)
        self.block("ol", node, (f' start="{start}"' if start != 1 else "") + attrs_html(node.attrs.items()))

    def list_item(self, node: Node) -> None:
        children = node.children
        if children and children[0].name == "todo_checkbox":
            self.task_item(node)
            return
        if children and children[0].name in INLINE:  # a tight item: its paragraph is not in the tree
            self.inline_run(_leading_inline(children))
        self.block("li", node, inner_cr=False)

    def task_item(self, node: Node) -> None:
        """mdit-py-plugins' task list with label=True: the first paragraph's text wrapped in <label>."""
        self.cr()
        self.out.append(f"<li{attrs_html(node.attrs.items())}>")
        checkbox, *rest = node.children
        if rest and rest[0].name == "paragraph":  # a loose item: the label lives inside the first <p>
            self.inline_run(rest[0].children)
            self.out.append("\n<p>")
            self._task_label(checkbox, rest[0].children)
            self.out.append("</p>")
            self.cr()
            rest = rest[1:]
        else:
            inline = _leading_inline(rest)
            rest = rest[len(inline):]
            self.inline_run(inline)
            self._task_label(checkbox, inline)
        for child in rest:
            self.render_node(child)
        self.out.append("</li>")
        self.cr()

    def _task_label(self, checkbox: Node, inline: Sequence[Node]) -> None:
        checked = 'checked="checked" ' if checkbox.meta.get("checked") else ""
        self.out.append(f'<label><input class="task-list-item-checkbox" {checked}disabled="disabled" '
                        'type="checkbox">')
        for child in inline:
            self.render_node(child)
        self.out.append("</label>")

    def nothing(self, node: Node) -> None:
        """A link reference definition: it only gives links their target."""

    def todo_checkbox(self, node: Node) -> None:  # only reached outside a list item's start: nothing to show
        pass

    def code_block(self, node: Node) -> None:
        self.cr()
        self.out.append(f"<pre><code>{escape(node.meta['content'])}</code></pre>")
        self.cr()

    def fence(self, node: Node) -> None:
        info = _unescape_info(node.meta.get("info", "")).strip()
        lang = info.split(maxsplit=1)[0] if info else ""
        attrs = f' class="{escape(node.meta.get("lang_prefix", "language-") + lang)}"' if lang else ""
        self.cr()
        self.out.append(f"<pre><code{attrs}>{escape(node.meta['content'])}</code></pre>")
        self.cr()

    def hr(self, node: Node) -> None:
        self.cr()
        self.out.append("<hr />")
        self.cr()

    def html_block(self, node: Node) -> None:
        self.cr()
        self.out.append(node.meta["content"])

    def table(self, node: Node) -> None:
        self._alignments = node.meta.get("alignments", [])
        self.block("table", node)

    def table_section(self, node: Node) -> None:
        self._cell = "th" if node.name == "thead" else "td"
        self.block(node.name, node)

    def trow(self, node: Node) -> None:
        self.cr()
        self.out.append("<tr>\n")
        tag = self._cell
        for index, cell in enumerate(node.children):
            align = self._alignments[index] if index < len(self._alignments) else "none"
            self.inline_run(cell.children)
            self.out.append(f"<{tag}{_ALIGN.get(align, '')}>")
            self.children(cell)
            self.out.append(f"</{tag}>\n")
        self.out.append("</tr>\n")

    def definition_list(self, node: Node) -> None:
        self.block("dl", node)

    def definition_term(self, node: Node) -> None:
        self.inline_run(node.children)
        self.block("dt", node, inner_cr=False)

    def definition_description(self, node: Node) -> None:
        if node.children and node.children[0].name in INLINE:  # a tight description
            self.inline_run(_leading_inline(node.children))
        self.block("dd", node, inner_cr=False)

    # --- inline -----------------------------------------------------------

    def text(self, node: Node) -> None:
        self.out.append(escape(node.meta["content"]))

    def html_inline(self, node: Node) -> None:
        self.out.append(node.meta["content"])

    def softbreak(self, node: Node) -> None:
        self.out.append("\n")

    def hardbreak(self, node: Node) -> None:
        self.out.append("<br />\n")

    def em(self, node: Node) -> None:
        self.wrap("em", node)

    def strong(self, node: Node) -> None:
        self.wrap("strong", node)

    def strikethrough(self, node: Node) -> None:
        self.wrap("s", node)

    def code_inline(self, node: Node) -> None:
        """Its children are plain text: written here, so no text hook mistakes code for prose."""
        self.out.append(f"<code>{escape(''.join(c.meta.get('content', '') for c in node.children))}</code>")

    def link(self, node: Node, href: str | None = None) -> None:
        meta = node.meta
        title = meta.get("title")
        attrs = f' href="{escape(meta["url"] if href is None else href)}"'
        if title is not None:
            attrs += f' title="{escape(title)}"'
        self.wrap("a", node, attrs)

    def image(self, node: Node, src: str | None = None, extra: str = "") -> None:
        meta = node.meta
        title = meta.get("title")
        attrs = f'<img src="{escape(meta["url"] if src is None else src)}" alt="{escape(plain_text(node.children))}"'
        if title is not None:
            attrs += f' title="{escape(title)}"'
        self.out.append(attrs + extra + " />")

    # --- footnotes (numbered, like mdit-py-plugins, in order of first reference) ---

    def footnote_ref(self, node: Node) -> None:
        def_id = node.meta["def_id"]
        number = self.footnote_numbers.setdefault(def_id, len(self.footnote_numbers) + 1)
        refs = self.footnote_refs.setdefault(def_id, [])
        ref_id = f"{number}:{len(refs)}" if refs else str(number)
        refs.append(ref_id)
        self.out.append(f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{ref_id}">[{ref_id}]</a></sup>')

    def footnote_container(self, node: Node) -> None:
        defs = {d.meta["def_id"]: d for d in node.children}
        self.cr()
        self.out.append('<hr class="footnotes-sep" />\n<section class="footnotes">\n<ol class="footnotes-list">\n')
        done: set[int] = set()
        while len(done) < len(self.footnote_numbers):  # a footnote may reference another one
            for def_id, number in sorted(self.footnote_numbers.items(), key=lambda kv: kv[1]):
                if def_id in done or def_id not in defs:
                    done.add(def_id)
                    continue
                done.add(def_id)
                self.out.append(f'<li id="fn{number}" class="footnote-item">')
                self._footnote_body(def_id, defs[def_id].children)
                self.out.append("</li>\n")
        self.out.append("</ol>\n</section>\n")

    def _footnote_body(self, def_id: int, blocks: Iterable[Node]) -> None:
        self._backrefs, self._anchored = self.footnote_refs.get(def_id, []), False
        start = len(self.out)
        for child in blocks:
            self.render_node(child)
        if len(self.out) > start and self.out[start] == "\n":  # the first block follows <li> directly
            del self.out[start]
        if not self._anchored:
            self.footnote_ref_anchor(None)

    def footnote_ref_anchor(self, node: Node | None) -> None:
        """The links back to the references, at the end of the footnote's last paragraph."""
        self._anchored = True
        self.out.append("".join(f' <a href="#fnref{ref}" class="footnote-backref">\u21a9\ufe0e</a>'
                                for ref in self._backrefs))
