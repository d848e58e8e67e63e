"""Scrapy downloader middlewares: fetch policy (schemes, private addresses), strict robots.txt, Retry-After."""
