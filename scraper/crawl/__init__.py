"""Crawl support that the cleaner never imports: discovery, the crawl plan, history, shared state, address policy."""
