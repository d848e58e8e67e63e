"""Scrapy item pipelines: thin adapters that call into scraper/ (archive, clean, validate, dedupe, write)."""
