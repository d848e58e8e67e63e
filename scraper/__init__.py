"""Clean news articles: trafilatura plus boilerplate rules kept as data.

Public API: ``clean`` (HTML to Article), ``clean_text`` (dirty extracted text to Article),
``reclean`` (saved pages in bulk, for notebooks), the ``Article`` record, ``CleanOptions`` and the
profile loaders. Everything else is private.
"""

from __future__ import annotations

import logging

from scraper._version import __version__
from scraper.article import SCHEMA_VERSION, Article, Removal
from scraper.clean import clean, clean_text
from scraper.config import DEFAULT_OPTIONS, CleanOptions, load_options
from scraper.errors import (
    DecodingError,
    EmptyArticleError,
    ExtractionError,
    InputError,
    NotHTMLError,
    OptionsError,
    PageTooLargeError,
    ProfileError,
    ScraperError,
    StorageError,
    TruncatedPageError,
)
from scraper.profiles import SiteProfile, default_registry, load_profiles
from scraper.reclean import reclean

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEFAULT_OPTIONS",
    "SCHEMA_VERSION",
    "Article",
    "CleanOptions",
    "DecodingError",
    "EmptyArticleError",
    "ExtractionError",
    "InputError",
    "NotHTMLError",
    "OptionsError",
    "PageTooLargeError",
    "ProfileError",
    "Removal",
    "ScraperError",
    "SiteProfile",
    "StorageError",
    "TruncatedPageError",
    "__version__",
    "clean",
    "clean_text",
    "default_registry",
    "load_options",
    "load_profiles",
    "reclean",
]
