"""The ``scraper`` command line: clean pages, check profiles, maintain golden test cases.

Exit codes: 0 success, 1 partial failure, 2 usage error (argparse), 3 nothing succeeded.
stdout carries data only (JSON); stderr carries logs and errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from scraper import golden
from scraper._version import __version__
from scraper.article import Article
from scraper.clean import clean, clean_text
from scraper.config import DEFAULT_OPTIONS, CleanOptions, load_options
from scraper.errors import ScraperError
from scraper.pool import Limits
from scraper.profiles import PACKAGE_PROFILES, ProfileRegistry, SiteProfile, default_registry, load_profiles
from scraper.reclean import DONE_DIR, run, run_dask
from scraper.sources import ReadOptions

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports Ctrl-C


def _add_clean(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("clean", help="clean one HTML page (or dirty text) and print the article as JSON")
    inp = p.add_argument_group("Input")
    inp.add_argument("file", help="HTML file to clean, or - for standard input (gzip accepted)")
    inp.add_argument("--url", help="the page URL (selects the site profile, resolves links)")
    inp.add_argument("--encoding", help="charset declared by the server, if known")
    inp.add_argument("--plain", action="store_true", help="the input is already-extracted text: run clean_text")
    out = p.add_argument_group("Output")
    out.add_argument("--text", action="store_true", help="print only the article text, not JSON")
    out.add_argument("--pretty", action="store_true", help="indent the JSON for reading (several lines)")
    cl = p.add_argument_group("Cleaning")
    cl.add_argument("--site", help="use this site profile instead of the one matching --url")
    cl.add_argument("--config", type=Path, help="TOML file of cleaning options (see scraper.config)")
    cl.add_argument("--profiles", type=Path, help="folder of profile files (default: the packaged ones)")


def _add_profiles(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("profiles", help="list or validate site profiles and rules")
    p.add_argument("action", choices=("list", "check"), help="list: one line per profile; check: validate all")
    p.add_argument("--profiles", type=Path, help="folder of profile files (default: the packaged ones)")


def _add_golden(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("golden", help="add, regenerate or rerun golden test cases (tests/golden)")
    p.add_argument("action", choices=("add", "update", "rerun"),
                   help="add: new case from a file; update: rewrite expected.json; rerun: print without writing")
    p.add_argument("cases", nargs="*", help="case ids (<domain>/<case>); update defaults to all")
    p.add_argument("--dir", type=Path, default=golden.DEFAULT_DIR, help="golden cases folder (default: %(default)s)")
    p.add_argument("--file", type=Path, help="add: the saved page to copy in")
    p.add_argument("--url", help="add: the page URL")
    p.add_argument("--name", help="add: case name (default: a slug of the file name)")
    p.add_argument("--fields", help="rerun: comma-separated fields to print (default: all)")


def _add_reclean(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("reclean", help="re-clean saved pages (folders, HTML, WARC, JSONL, text) into JSONL shards")
    inp = p.add_argument_group("Input")
    inp.add_argument("inputs", nargs="+", help="files, folders (recursive) or globs: .html/.htm(.gz), "
                     ".warc(.gz), .jsonl(.gz), .txt (already-extracted text)")
    inp.add_argument("--html-field", default="html", help="JSONL field holding the HTML (default: %(default)s)")
    inp.add_argument("--url-field", default="url", help="JSONL field holding the URL (default: %(default)s)")
    inp.add_argument("--base-url", help="URL prefix for loose files, which carry no URL (file name appended)")
    inp.add_argument("--files-per-shard", type=int, default=500,
                     help="loose files grouped per output shard (default: %(default)s)")
    out = p.add_argument_group("Output")
    out.add_argument("-o", "--out", type=Path, required=True,
                     help="output folder for <shard>.jsonl and <shard>.errors.jsonl (re-runs resume here)")
    out.add_argument("--keep-non-articles", action="store_true",
                     help="write listing, product, forum, video and other pages as records too (their "
                          "page_type says what they are) instead of errors 'not-article: <type>'")
    run = p.add_argument_group("Running")
    run.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)")
    run.add_argument("--time-limit", type=float, default=60.0, help="seconds one page may take (default: 60)")
    run.add_argument("--memory-limit", type=int, default=2048, help="MiB of address space per worker (0: none)")
    run.add_argument("--dask", metavar="ADDRESS", help="run the shards on this dask.distributed scheduler")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="scraper", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_clean(sub)
    _add_profiles(sub)
    _add_golden(sub)
    _add_reclean(sub)
    return parser


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def _registry_and_profile(args: argparse.Namespace) -> tuple[ProfileRegistry, SiteProfile | None]:
    registry = load_profiles(args.profiles) if args.profiles else default_registry()
    return registry, registry.get(args.site) if args.site else None


def _emit(article: Article, text_only: bool, pretty: bool) -> None:
    if text_only:
        sys.stdout.write(article.text + "\n")
    else:
        sys.stdout.write(json.dumps(article.to_dict(), ensure_ascii=False, indent=2 if pretty else None) + "\n")


def _cmd_clean(args: argparse.Namespace) -> int:
    try:
        options: CleanOptions = load_options(args.config) if args.config else DEFAULT_OPTIONS
        data = _read_input(args.file)
        registry, profile = _registry_and_profile(args)
        if args.plain:
            text = data.decode("utf-8", errors="replace")
            article = clean_text(text, args.url, profile=profile, options=options, registry=registry)
        else:
            article = clean(data, args.url, profile=profile, options=options, encoding=args.encoding,
                            registry=registry)
    except OSError as exc:
        print(f"scraper clean: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except ScraperError as exc:
        print(f"scraper clean: {args.file}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _emit(article, args.text, args.pretty)
    return EXIT_OK


def _cmd_profiles(args: argparse.Namespace) -> int:
    directory = args.profiles or PACKAGE_PROFILES
    try:
        registry = load_profiles(directory)
    except ScraperError as exc:
        print(f"scraper profiles: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.action == "list":
        for profile in registry:
            sources = sum(len(v) for v in profile.sources.values())
            print(f"{profile.id}\t{profile.name}\trules={len(profile.rules.rules)}\tsources={sources}")
    else:
        print(f"ok: {len(registry.global_rules.rules)} global rules, {len(registry.profiles)} site profiles "
              f"in {directory}", file=sys.stderr)
    return EXIT_OK


def _cmd_golden(args: argparse.Namespace) -> int:
    try:
        if args.action == "add":
            if not args.file or not args.url:
                print("scraper golden add: --file and --url are required", file=sys.stderr)
                return EXIT_USAGE
            case = golden.add_case(args.dir, args.file, args.url, args.name)
            print(f"added {case.id}: review {case.path / 'expected.json'}", file=sys.stderr)
            return EXIT_OK
        cases = golden.select(args.dir, args.cases)
        if args.action == "update":
            for case in cases:
                changed = golden.update_case(case)
                print(f"{'updated' if changed else 'unchanged'} {case.id}", file=sys.stderr)
            return EXIT_OK
        fields = args.fields.split(",") if args.fields else None
        for case in cases:
            print(json.dumps({"case": case.id, **golden.rerun_case(case, fields)}, ensure_ascii=False, indent=2))
    except (ScraperError, OSError, ValueError) as exc:
        print(f"scraper golden: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _cmd_reclean(args: argparse.Namespace) -> int:
    read = ReadOptions(html_field=args.html_field, url_field=args.url_field, base_url=args.base_url)
    with _sigterm_as_interrupt():
        return _reclean(args, read)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM stops the run the way Ctrl-C does (KeyboardInterrupt): the workers are
    stopped and the finished shards kept, instead of the process dying on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _reclean(args: argparse.Namespace, read: ReadOptions) -> int:
    try:
        if args.dask:
            summary = run_dask(args.dask, args.inputs, args.out, read=read, files_per_shard=args.files_per_shard,
                               keep_non_articles=args.keep_non_articles)
        else:
            limits = Limits(seconds=args.time_limit, memory_bytes=args.memory_limit << 20)
            summary = run(args.inputs, args.out, jobs=args.jobs or None, read=read, limits=limits,
                          files_per_shard=args.files_per_shard, keep_non_articles=args.keep_non_articles)
    except (FileNotFoundError, ScraperError, OSError) as exc:
        print(f"scraper reclean: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (systemd, kill)
        print(f"scraper reclean: interrupted; finished shards are kept ({args.out}/{DONE_DIR}), unfinished ones "
              f"left as .part files; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    data = summary.to_dict()
    print(json.dumps(data), file=sys.stderr)
    if data["inputs"] and not data["articles"]:
        return EXIT_FAILED
    return EXIT_PARTIAL if data["errors"] else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    commands = {"clean": _cmd_clean, "profiles": _cmd_profiles, "golden": _cmd_golden, "reclean": _cmd_reclean}
    return commands[args.command](args)
