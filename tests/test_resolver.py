"""The crawl's resolver: one answer for the policy's check and the connection, and no address for a refused host,
against a real DNS server on 127.0.0.1 whose answer changes between two queries (DNS rebinding)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_check_and_the_connection_share_one_answer_and_a_private_answer_gets_no_address() -> None:
    # A reactor of its own: the script runs a twisted.names server and the resolver in one process.
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "fixtures" / "rebind_dns.py"), str(ROOT)],
                          capture_output=True, text=True, timeout=60, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["check"] == out["connect"] == ["93.184.216.34"]
    assert out["queries"] == 1, "the downloader connects to the answer the policy checked, not to a second one"
    assert out["fresh"] == [] and out["why"] == "address 127.0.0.1 is loopback (SCRAPER_ALLOW_LOOPBACK=1 allows it)"
    assert out["later"] == [] and out["queries_after"] == 2, "a refused host stays refused for the run"
