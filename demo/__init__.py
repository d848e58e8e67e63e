"""The offline demo: a news site written for the demo, served on 127.0.0.1 and crawled."""
