"""The `kbgen` command line: parses arguments, runs a command, prints diagnostics, sets the exit code.

Exit codes: 0 ok, 1 content errors (or warnings under --strict), 2 usage, 3 a bug in kbgen.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from kbgen import __version__
from kbgen.build import BuildOptions, BuildResult, build
from kbgen.diagnostics import format_diagnostics

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kbgen", description="Build a static, searchable help center from Markdown.")
    parser.add_argument("--version", action="version", version=f"kbgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def diag_format(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how problems are printed: text (default), json, github (workflow annotations)")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")

    p = commands.add_parser("build", help="build the site into an output folder")
    p.add_argument("site", nargs="?", default=".", type=Path, help="the site folder (default: .)")
    p.add_argument("-o", "--output", type=Path, help="output folder (default: SITE/public)")
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    p.add_argument("--report", action="store_true",
                   help="also write _report/index.html: review dates, orphans, missing translations, alt texts, counts")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor update SITE/.kbgen-cache/ (a full build from the sources)")
    diag_format(p)

    p = commands.add_parser("check", help="validate the site without writing output")
    p.add_argument("site", nargs="?", default=".", type=Path)
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    diag_format(p)

    p = commands.add_parser("serve", help="preview the site, rebuilding on every change")
    p.add_argument("site", nargs="?", default=".", type=Path)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    p = commands.add_parser("init", help="start a new help center in DIR")
    p.add_argument("dir", type=Path)

    p = commands.add_parser("new", help="add an article, a guide or an FAQ page")
    p.add_argument("kind", choices=("article", "guide", "faq"))
    p.add_argument("title")
    p.add_argument("--category", help="the folder below content/<lang>/, e.g. versand")
    p.add_argument("--lang", help="the language (default: the site's default)")
    p.add_argument("--site", type=Path, default=Path("."), help="the site folder (default: .)")

    p = commands.add_parser("search", help="query the built search index with the browser's ranking")
    p.add_argument("words", nargs="*", metavar="[PATH] QUERY",
                   help="a built output folder or a site (default: .), then the query")
    p.add_argument("--lang", help="the index's language (default: the site's default language)")
    p.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help='print [{"url","title","heading","source","score"}]')
    p.add_argument("--batch", metavar="FILE", help="one query per line of FILE ('-': stdin), one JSON array per line")
    p.add_argument("--category", help="only articles of this category (its folder, e.g. de/versand)")
    p.add_argument("--product", help="only articles of this product id")
    return parser


def run() -> None:
    """The `kbgen` command: main, then exit without tearing down the interpreter.

    Everything is written and closed by then; freeing a 10,000-article site model object by
    object would only add most of a second to every build.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in kbgen, not the user's mistake: say so briefly
        if os.environ.get("KBGEN_DEBUG"):
            raise
        print(f"kbgen: internal error: {type(exc).__name__}: {exc}\n"
              "  This is a bug in kbgen, not in your content. Run again with KBGEN_DEBUG=1 to see the "
              "traceback, and report it.", file=sys.stderr)
        return EXIT_INTERNAL


def _main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "search":
        return _search(args, parser)
    if args.command == "init":
        from kbgen.scaffold import init
        return init(args.dir)
    if args.command == "new":
        import datetime as dt
        from kbgen.scaffold import new
        return new(args.site, args.kind, args.title, args.category, args.lang, dt.date.today())
    site = args.site
    if not site.is_dir():
        print(f"kbgen: error: site folder '{site}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    if args.command in ("build", "check"):
        return _build_or_check(args)
    if args.command == "serve":
        from kbgen.serve import serve
        return serve(site, host=args.host, port=args.port, drafts=args.drafts)
    return EXIT_USAGE


def _search(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from kbgen.search.cli import run_search
    words = list(args.words)
    if args.batch is not None:
        if len(words) > 1:
            parser.error("with --batch, give at most a PATH")
        path = Path(words[0]) if words else Path(".")
        if args.batch == "-":
            return run_search(path, None, sys.stdin, args.lang, args.limit, True, args.category, args.product)
        try:
            with open(args.batch, encoding="utf-8") as batch:
                return run_search(path, None, batch, args.lang, args.limit, True, args.category, args.product)
        except OSError as exc:
            print(f"kbgen: error: cannot read {args.batch}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
    if not words:
        parser.error("search needs a QUERY")
    path = Path(".")
    if len(words) > 1 and Path(words[0]).is_dir():
        path, words = Path(words[0]), words[1:]
    return run_search(path, words, None, args.lang, args.limit, args.json, args.category, args.product)


def _build_or_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    writing = args.command == "build"
    options = BuildOptions(site_root=args.site, out=getattr(args, "output", None), strict=args.strict,
                           drafts=args.drafts, write=writing, cache=not getattr(args, "no_cache", False),
                           report=getattr(args, "report", False))
    result = build(options)
    _print(result, args.format, args.strict, show_notes=not writing)
    failed = result.diagnostics.failed(args.strict)
    if args.format == "text":
        _summary(result, writing, failed, time.perf_counter() - started)
    if any(d.code == "output-unsafe" for d in result.diagnostics.items()):
        return EXIT_USAGE  # a wrong -o is a usage error, not a content error
    return EXIT_CONTENT if failed else EXIT_OK


def _print(result: BuildResult, fmt: str, strict: bool, show_notes: bool) -> None:
    items = [d for d in result.diagnostics.items() if show_notes or d.severity != "note"]
    text = format_diagnostics(items, fmt, strict)
    if fmt == "json":
        print(text)
    elif text:
        print(text, file=sys.stderr if fmt == "text" else sys.stdout)


def _summary(result: BuildResult, writing: bool, failed: bool, seconds: float) -> None:
    d = result.diagnostics
    counts = f"{d.count('error')} error(s), {d.count('warning')} warning(s)"
    articles = result.articles
    if writing and result.written:
        print(f"kbgen: built {articles} articles into {result.out} in {seconds:.2f} s ({counts})", file=sys.stderr)
    elif writing:
        print(f"kbgen: build failed ({counts}); {result.out} was left unchanged", file=sys.stderr)
    else:
        state = "failed" if failed else "ok"
        print(f"kbgen: check {state}: {articles} articles ({counts})", file=sys.stderr)
