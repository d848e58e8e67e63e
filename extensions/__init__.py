"""Scrapy extensions and add-ons of the news crawl: distributed crawling, the log formatter."""
