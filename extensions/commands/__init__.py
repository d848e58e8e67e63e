"""Scrapy commands of the project (``COMMANDS_MODULE``): ``crawl``, Scrapy's own with honest exit codes."""
