"""Scrapy spiders: they choose what to fetch and yield raw pages; cleaning happens in scraper/."""
