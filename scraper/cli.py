"""The scraper command line: clean one page, re-clean saved pages in bulk, check profiles, golden cases.

stdout carries data only (JSON); stderr carries logs, progress and errors (one line each).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from scraper import golden
from scraper._version import __version__
from scraper.article import Article
from scraper.clean import clean, clean_text
from scraper.config import DEFAULT_OPTIONS, CleanOptions, load_options
from scraper.errors import NotHTMLError, OptionsError, ProfileError, ScraperError
from scraper.inputs import FILES_PER_SHARD, ReadOptions
from scraper.job import DEFAULT_MIN_WORDS, CleanJob, Window, check_document, parse_query
from scraper.pool import Limits
from scraper.profiles import PACKAGE_PROFILES, ProfileRegistry, SiteProfile, default_registry, load_profiles
from scraper.progress import Progress
from scraper.reclean import DONE_DIR, SUMMARY_FILE, Summary, run, run_dask
from scraper.stories.bulk import STORIES_FILE
from scraper.stories.bulk import build as build_stories

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports Ctrl-C
DESCRIPTION = ("Clean news articles: one page (clean), saved pages in bulk (reclean), stories across saved articles "
               "(stories), site profiles, golden cases.")
EPILOG = """\
exit codes:
  0    everything succeeded
  1    partial failure: some inputs became error records (reclean: in the whole output folder)
  2    usage error: a bad argument, an input or folder that does not exist or holds nothing to re-clean,
       an invalid options file or profiles folder
  3    nothing succeeded (no article at all)
  130  interrupted (Ctrl-C or SIGTERM); reclean: run the same command again to resume

Run `scraper COMMAND --help` for the options of each command."""
_CLEAN_TEXT_HINT = re.compile(r"\s*\(use clean_text[^)]*\)")


def _common() -> argparse.ArgumentParser:
    """-v/-q, accepted before or after the command (``scraper -q reclean`` or ``scraper reclean -q``)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("Logging")
    group.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                       help="more logging on stderr (-vv: debug)")
    group.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="no progress and no summary on stderr; only warnings and errors")
    return common


def _add_cleaning(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    group = parser.add_argument_group("Cleaning")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="TOML file of cleaning options (keys of scraper.CleanOptions)")
    group.add_argument("--profiles", type=Path, metavar="DIR",
                       help="folder of profile files (default: the packaged ones)")
    return group


def _add_clean(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("clean", parents=[common], help="clean one HTML page (or already-extracted text) and print "
                       "the article as JSON", description="Clean one HTML page (or, with --plain, already-extracted "
                       "text) and print the article as one JSON line on stdout.")
    inp = p.add_argument_group("Input")
    inp.add_argument("file", help="HTML file to clean, or - for standard input (gzip accepted)")
    inp.add_argument("--url", help="the page URL (selects the site profile, resolves links)")
    inp.add_argument("--encoding", metavar="CHARSET", help="charset declared by the server, if known")
    inp.add_argument("--plain", action="store_true", help="the input is already-extracted text: run clean_text")
    out = p.add_argument_group("Output")
    out.add_argument("--text", action="store_true", help="print only the article text, not JSON")
    out.add_argument("--pretty", action="store_true", help="indent the JSON for reading (several lines)")
    _add_cleaning(p).add_argument("--site", help="use this site profile instead of the one matching --url")


def _add_profiles(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("profiles", parents=[common], help="list or check the site profiles and rules",
                       description="List the site profiles, or check every profile and rule file.")
    p.add_argument("action", choices=("list", "check"), help="list: one line per profile; check: validate all")
    p.add_argument("--profiles", type=Path, metavar="DIR", help="folder of profile files (default: the packaged ones)")


def _add_golden(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("golden", parents=[common], help="add, regenerate or rerun the golden test cases",
                       description="Maintain the golden test cases (tests/golden): expected.json files are written "
                       "by `update` and reviewed, never edited by hand.")
    p.add_argument("action", choices=("add", "update", "rerun"),
                   help="add: new case from a file; update: rewrite expected.json; rerun: print without writing")
    p.add_argument("cases", nargs="*", help="case ids (<domain>/<case>); update defaults to all")
    p.add_argument("--dir", type=Path, default=golden.DEFAULT_DIR, help="golden cases folder (default: %(default)s)")
    p.add_argument("--file", type=Path, help="add: the saved page to copy in")
    p.add_argument("--url", help="add: the page URL")
    p.add_argument("--name", help="add: case name (default: a slug of the file name)")
    p.add_argument("--fields", help="rerun: comma-separated fields to print (default: all)")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _redis_url(value: str) -> str:
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise argparse.ArgumentTypeError(f"expected redis://host:port/db, rediss://... or unix:///path.sock, "
                                         f"got {value!r}")
    return value


def _add_reclean(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "reclean", parents=[common], help="re-clean saved pages (folders, HTML, WARC, JSONL, text) into JSONL shards",
        description="Re-clean saved pages with the crawl's job (HTTP status, cleaning, validation,\n"
        "de-duplication) into OUT/<shard>.jsonl and OUT/<shard>.errors.jsonl: every input ends in\n"
        "exactly one of them. Run the same command again to resume.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    inp = p.add_argument_group("Input")
    inp.add_argument("inputs", nargs="+", help="files, folders (recursive) or globs: .html/.htm(.gz), "
                     ".warc(.gz), .jsonl(.gz), .txt (already-extracted text)")
    inp.add_argument("--html-field", default="html", metavar="FIELD",
                     help="JSONL field holding the HTML (default: %(default)s)")
    inp.add_argument("--url-field", default="url", metavar="FIELD",
                     help="JSONL field holding the URL (default: %(default)s)")
    inp.add_argument("--base-url", metavar="URL",
                     help="URL prefix for loose files, which carry no URL (file name appended)")
    inp.add_argument("--files-per-shard", type=int, default=FILES_PER_SHARD, metavar="N",
                     help="loose files grouped per output shard (default: %(default)s)")
    out = p.add_argument_group("Output")
    out.add_argument("-o", "--out", type=Path, required=True,
                     help="output folder for <shard>.jsonl and <shard>.errors.jsonl (re-runs resume here)")
    job = _add_cleaning(p)
    job.add_argument("--min-words", type=int, default=DEFAULT_MIN_WORDS, metavar="N",
                     help="articles with fewer words are errors (too-short), as in the crawl (default: %(default)s)")
    job.add_argument("--since", type=_date, metavar="DATE",
                     help="articles published before this day (YYYY-MM-DD) are errors (outside-window)")
    job.add_argument("--until", type=_date, metavar="DATE",
                     help="articles published after this day (YYYY-MM-DD) are errors (outside-window)")
    job.add_argument("--query", metavar="TERMS",
                     help="comma-separated words or phrases: articles mentioning none are errors (off-topic)")
    job.add_argument("--keep-non-articles", action="store_true",
                     help="write listing, product, forum, video and other pages as records (their page_type says "
                          "what they are) instead of errors not-article-<type>, as in the crawl")
    running = p.add_argument_group("Running")
    running.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                         help="worker processes (default: all cores)")
    running.add_argument("--time-limit", type=float, default=60.0, metavar="SECONDS",
                         help="seconds one page may take (default: %(default)s)")
    running.add_argument("--memory-limit", type=int, default=2048, metavar="MIB",
                         help="MiB of address space per worker, 0 for none (default: %(default)s)")
    running.add_argument("--dask", metavar="ADDRESS", help="run the shards on this dask.distributed scheduler "
                         "(tcp://host:8786); the output folder must be shared with its workers")
    running.add_argument("--redis", metavar="URL", type=_redis_url,
                         help="with --dask: find duplicates across all shards through this Redis server "
                         "(redis://host:6379/0, unix:///path.sock; without it, within each shard only)")


def _add_stories(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "stories", parents=[common], help="link copies, rewrites and duplicates of each story in saved article "
        "records (JSONL) and write OUT/stories.jsonl",
        description="Add the article records of saved JSONL files (a crawl's or a re-clean's output) to a story\n"
        "index and write OUT/stories.jsonl: one line per story, with its original, its members and\n"
        "each member's relation to the original (duplicate, copy, rewrite), its sites, first and last seen.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    inp = p.add_argument_group("Input")
    inp.add_argument("inputs", nargs="+", help="JSONL files (.jsonl, .jsonl.gz) or folders of them (recursive; "
                     "*.errors.jsonl and error lines are skipped)")
    out = p.add_argument_group("Output")
    out.add_argument("-o", "--out", type=Path, required=True, help="output folder for stories.jsonl")
    out.add_argument("--index", type=Path, metavar="FILE", help="SQLite story index to use and extend, e.g. the "
                     "crawl's SCRAPER_STORIES file (default: OUT/_stories.sqlite3)")
    running = p.add_argument_group("Running")
    running.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                         help="processes fingerprinting records that carry no fingerprint (default: all cores)")
    running.add_argument("--dask", metavar="ADDRESS", help="fingerprint on this dask.distributed scheduler "
                         "(tcp://host:8786) instead")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    common = _common()
    parser = argparse.ArgumentParser(prog="scraper", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress or summary; only warnings and errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    _add_clean(sub, common)
    _add_reclean(sub, common)
    _add_stories(sub, common)
    _add_profiles(sub, common)
    _add_golden(sub, common)
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


def _clean_one(args: argparse.Namespace, data: bytes) -> Article:
    options: CleanOptions = load_options(args.config) if args.config else DEFAULT_OPTIONS
    registry, profile = _registry_and_profile(args)
    if args.plain:
        text = data.decode("utf-8", errors="replace")
        return clean_text(text, args.url, profile=profile, options=options, registry=registry)
    try:
        check_document(data)
        return clean(data, args.url, profile=profile, options=options, encoding=args.encoding, registry=registry)
    except NotHTMLError as exc:
        if b"<" in data[:65536]:
            raise
        raise NotHTMLError(f"{_CLEAN_TEXT_HINT.sub('', str(exc))}; for already-extracted text, add --plain") from None


def _cmd_clean(args: argparse.Namespace) -> int:
    try:
        data = _read_input(args.file)
    except OSError as exc:
        print(f"scraper clean: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        article = _clean_one(args, data)
    except (ProfileError, OptionsError) as exc:
        print(f"scraper clean: {exc}", file=sys.stderr)
        return EXIT_USAGE
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
            seeds = sum(len(v) for v in profile.seeds.values())
            print(f"{profile.id}\t{profile.name}\trules={len(profile.rules.rules)}\tseeds={seeds}")
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


def job_from_args(args: argparse.Namespace) -> CleanJob:
    """The cleaning job of ``scraper reclean`` (the crawl's is built from its settings, with the same defaults).

    Raises:
        OptionsError: the options file is invalid.
    """
    options = load_options(args.config) if args.config else DEFAULT_OPTIONS
    return CleanJob(options=options, profiles=str(args.profiles) if args.profiles else None,
                    min_words=args.min_words, window=Window(args.since, args.until), query=parse_query(args.query),
                    keep_non_articles=args.keep_non_articles)


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


def _counts(data: dict[str, object]) -> str:
    reasons = data.get("errors_by_reason") or {}
    detail = ", ".join(f"{k}: {v}" for k, v in reasons.items()) if isinstance(reasons, dict) else ""
    return f"{data['inputs']} inputs: {data['articles']} articles, {data['errors']} errors" + (
        f" ({detail})" if detail else "")


def _report(summary: Summary, out: Path) -> None:
    """Two lines on stderr: what this run did, and what the whole output folder holds."""
    data = summary.to_dict()
    this = data["this_run"]
    skipped = f"; {this['shards_skipped']} shards already finished, skipped" if this["shards_skipped"] else ""
    print(f"scraper reclean: this run: {this['shards_done']} shards, {_counts(this)}{skipped}", file=sys.stderr)
    print(f"scraper reclean: {out} holds {data['shards']} finished shards, {_counts(data)}; "
          f"see {out / SUMMARY_FILE}", file=sys.stderr)


def _cmd_reclean(args: argparse.Namespace) -> int:
    if args.redis and not args.dask:
        print("scraper reclean: --redis goes with --dask (a local run finds duplicates across the whole folder "
              "by itself)", file=sys.stderr)
        return EXIT_USAGE
    read = ReadOptions(html_field=args.html_field, url_field=args.url_field, base_url=args.base_url)
    progress = Progress(quiet=args.quiet)
    try:
        job = job_from_args(args)
        with _sigterm_as_interrupt():
            if args.dask:
                summary = run_dask(args.dask, args.inputs, args.out, job=job, read=read,
                                   files_per_shard=args.files_per_shard, progress=progress, redis_url=args.redis)
            else:
                limits = Limits(seconds=args.time_limit, memory_bytes=args.memory_limit << 20)
                summary = run(args.inputs, args.out, job=job, jobs=args.jobs or None, read=read, limits=limits,
                              files_per_shard=args.files_per_shard, progress=progress)
    except (FileNotFoundError, ProfileError, OptionsError) as exc:
        print(f"scraper reclean: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ScraperError, OSError) as exc:
        print(f"scraper reclean: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (systemd, kill)
        print(f"scraper reclean: interrupted; finished shards are kept ({args.out}/{DONE_DIR}), unfinished ones "
              f"left as .part files; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        _report(summary, args.out)
    return summary.exit_code


def _cmd_stories(args: argparse.Namespace) -> int:
    try:
        with _sigterm_as_interrupt():
            summary = build_stories(args.inputs, args.out, index=args.index, jobs=args.jobs or None, dask=args.dask)
    except FileNotFoundError as exc:
        print(f"scraper stories: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ScraperError, OSError) as exc:
        print(f"scraper stories: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("scraper stories: interrupted; the index keeps what was added; run the same command again to go on",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        data = summary.to_dict()
        relations = ", ".join(f"{k} {v}" for k, v in data["relations"].items())
        skipped = ", ".join(f"{k} {v}" for k, v in data["skipped"].items())
        print(f"scraper stories: {data['records']} lines, {data['indexed']} articles indexed ({relations})"
              f"{'; skipped: ' + skipped if skipped else ''}; {data['stories']} stories in "
              f"{args.out / STORIES_FILE} ({data['seconds']} s)", file=sys.stderr)
    if not summary.indexed:
        return EXIT_FAILED
    return EXIT_PARTIAL if summary.skipped else EXIT_OK


def _configure_logging(verbose: int, quiet: bool) -> None:
    """Warnings from everyone; this package's INFO lines (progress) too unless quiet; more with -v."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("scraper").setLevel(logging.WARNING if quiet and not verbose else min(level, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    commands = {"clean": _cmd_clean, "profiles": _cmd_profiles, "golden": _cmd_golden, "reclean": _cmd_reclean,
                "stories": _cmd_stories}
    return commands[args.command](args)
