"""Scrapy settings for the news crawl: flat constants only (no imports, no logic).

See https://docs.scrapy.org/en/latest/topics/settings.html; project settings are prefixed SCRAPER_.
"""

# -- project --------------------------------------------------------------------------------------
BOT_NAME = "newsclean"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# -- politeness (https://docs.scrapy.org/en/latest/topics/settings.html#robotstxt-obey) -----------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
USER_AGENT = "newsclean/0.1 (+https://github.com/newsclean/newsclean; crawl contact: set SCRAPER_CONTACT)"

# -- limits ----------------------------------------------------------------------------------------
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30

# -- output ----------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
SCRAPER_OUTPUT_DIR = "output"
