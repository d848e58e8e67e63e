"""Clean news articles: trafilatura plus boilerplate rules kept as data.

Public API: ``clean`` (HTML to Article), ``clean_text`` (dirty extracted text to Article),
``reclean`` (saved pages in bulk, for notebooks) with the crawl's ``CleanJob``, the ``Article`` record,
``CleanOptions``, the profile loaders and the errors. Everything else is private.
"""

from __future__ import annotations

import logging

from scraper._version import __version__
from scraper.article import SCHEMA_VERSION, Article, Removal
from scraper.clean import clean, clean_text
from scraper.config import DEFAULT_OPTIONS, CleanOptions, load_options
from scraper.errors import (
    DecodingError,
    DuplicateError,
    EmptyArticleError,
    ExtractionError,
    FeedError,
    FetchError,
    HttpStatusError,
    InputError,
    MemoryLimitError,
    NetworkError,
    NotHTMLError,
    NoTitleError,
    OffTopicError,
    OptionsError,
    OutsideWindowError,
    PageTooLargeError,
    ProfileError,
    RefusedError,
    RejectedError,
    RobotsError,
    ScraperError,
    StorageError,
    TimeLimitError,
    TooShortError,
    TruncatedError,
    TruncatedPageError,
    UnreadableError,
    WorkerCrashedError,
    WorkerError,
)
from scraper.job import CleanJob, Window
from scraper.profiles import SiteProfile, default_registry, load_profiles
from scraper.reclean import reclean

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_OPTIONS",
    "SCHEMA_VERSION",
    "Article",
    "CleanJob",
    "CleanOptions",
    "DecodingError",
    "DuplicateError",
    "EmptyArticleError",
    "ExtractionError",
    "FeedError",
    "FetchError",
    "HttpStatusError",
    "InputError",
    "MemoryLimitError",
    "NetworkError",
    "NoTitleError",
    "NotHTMLError",
    "OffTopicError",
    "OptionsError",
    "OutsideWindowError",
    "PageTooLargeError",
    "ProfileError",
    "RefusedError",
    "RejectedError",
    "Removal",
    "RobotsError",
    "ScraperError",
    "SiteProfile",
    "StorageError",
    "TimeLimitError",
    "TooShortError",
    "TruncatedError",
    "TruncatedPageError",
    "UnreadableError",
    "Window",
    "WorkerCrashedError",
    "WorkerError",
    "__version__",
    "clean",
    "clean_text",
    "default_registry",
    "load_options",
    "load_profiles",
    "reclean",
]
