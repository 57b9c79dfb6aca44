"""Two people change the same location at the same moment, through a real server.

Both read the same ETag and send their PATCH at once from two threads; the server runs the
requests concurrently (uvicorn, the app's thread pool). Exactly one change is stored and the
other is told 412, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from tests.feeds.serve import free_port
from tests.http.conftest import Api

PATH = "/api/v1/locations/ww-hal"


@pytest.fixture
def base_url(api: Api) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(api.client.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_two_concurrent_patches_with_the_same_etag_one_wins_one_gets_412(
    api: Api, base_url: str
) -> None:
    def send(
        who: str, name: str, etag: str, start: threading.Barrier, results: dict[str, httpx.Response]
    ) -> None:
        headers = {**api.headers(who), "If-Match": etag}
        with httpx.Client(base_url=base_url, timeout=30) as client:
            start.wait()
            results[who] = client.patch(PATH, headers=headers, json={"name": name})

    for round_ in range(3):  # a few rounds: the two requests interleave differently
        etag = api.client.get(PATH, headers=api.headers("planner")).headers["ETag"]
        names = {"company": f"Hal company {round_}", "planner": f"Hal planner {round_}"}
        results: dict[str, httpx.Response] = {}
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=send, args=(who, name, etag, start, results))
            for who, name in names.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in results.values())
        assert statuses == [200, 412], {who: r.text for who, r in results.items()}
        winner = next(who for who, r in results.items() if r.status_code == 200)
        stored = api.client.get(PATH, headers=api.headers("planner")).json()
        assert stored["name"] == names[winner]
