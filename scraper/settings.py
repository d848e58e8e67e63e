"""Scrapy settings for the news crawl: flat constants only (no imports, no logic).

See https://docs.scrapy.org/en/latest/topics/settings.html. Project settings are prefixed SCRAPER_;
override any of them per run with ``scrapy crawl news -s NAME=VALUE``.
"""

# -- project (https://docs.scrapy.org/en/latest/topics/settings.html#bot-name) -------------------
BOT_NAME = "newsclean"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` with exit codes that tell a scheduler how the run ended (extensions/commands/crawl.py)
COMMANDS_MODULE = "extensions.commands"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# -- politeness (https://docs.scrapy.org/en/latest/topics/autothrottle.html) -----------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
# Each article response yields one item; Scrapy spawns this many tasks per callback output, and the
# default (100) costs more reactor time than the pipelines themselves (bench/crawl.py).
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
USER_AGENT = "newsclean/0.1 (news research crawler; contact: set SCRAPER_CONTACT)"

# -- limits (https://docs.scrapy.org/en/latest/topics/settings.html#download-maxsize) -------------
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DEPTH_LIMIT = 8
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
CLOSESPIDER_PAGECOUNT = 5000

# -- components (https://docs.scrapy.org/en/latest/topics/downloader-middleware.html) -------------
# Host names are resolved once, checked against the fetch policy, and connected to as checked.
TWISTED_DNS_RESOLVER = "middlewares.resolver.PolicyResolver"
DOWNLOADER_MIDDLEWARES = {
    "middlewares.policy.FetchPolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "middlewares.robots.StrictRobotsTxtMiddleware": 100,
    "middlewares.retry_after.RetryAfterMiddleware": 560,
    # just before Scrapy's HttpCompressionMiddleware (590) on the way back: bodies as received, cut ones refused
    "middlewares.received.BodyAsReceivedMiddleware": 595,
}
ITEM_PIPELINES = {
    "pipelines.archive.RawArchivePipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.validate.DropIncompletePipeline": 300,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.story.StoryPipeline": 500,
    "pipelines.jsonl.JsonlWriterPipeline": 900,
}

# -- distributed crawling: off unless SCRAPER_REDIS_URL is set (extensions/distributed.py) ---------
# The project add-on puts SCRAPER_CONTACT into USER_AGENT and checks the SCRAPER_* settings of any command.
ADDONS = {"extensions.project.ProjectAddon": 0, "extensions.distributed.DistributedAddon": 10}

# -- listeners (https://docs.scrapy.org/en/latest/topics/telnetconsole.html) -------------------------
# A scheduled crawler opens no ports: no telnet console, no remote-control HTTP server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# -- logging: a dropped item is logged as one line (URL and reason), not the whole record -----------
LOG_FORMATTER = "extensions.logformatter.NewsLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

# -- output ----------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"

# -- project settings (documented in README.md "Crawl settings") ------------------------------------
SCRAPER_ALLOW_LOOPBACK = False
SCRAPER_ALLOW_PRIVATE = False
SCRAPER_ARCHIVE_RAW = True
SCRAPER_CLEAN_CONFIG = ""
SCRAPER_CLEAN_MEMORY_LIMIT = 2048
SCRAPER_CLEAN_TIME_LIMIT = 60.0
SCRAPER_CLEAN_WORKERS = 0
SCRAPER_CONTACT = ""
SCRAPER_CRAWL_ID = ""
SCRAPER_HISTORY = ""
SCRAPER_KEEP_NON_ARTICLES = False
SCRAPER_MAX_ENTRIES_PER_SOURCE = 50_000
SCRAPER_MIN_WORDS = 50
SCRAPER_OUTPUT_DIR = "output"
SCRAPER_PROFILES_DIR = ""
SCRAPER_REDIS_EXPIRE = 7 * 24 * 3600
SCRAPER_REDIS_IDLE_MAX = 300
SCRAPER_REDIS_URL = ""
SCRAPER_RETRY_AFTER_MAX = 120
SCRAPER_RUN_ID = ""
SCRAPER_STORIES = ""
SCRAPER_STORY_DROP = ""
