"""/docs and /redoc work without internet: the page and everything it loads come from the app."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.db import make_engine

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""")
SPEC_URL = re.compile(r"""spec-url\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'doc.db'}")
    return TestClient(create_app(engine=engine))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_page_and_every_asset_it_loads_come_from_the_app(
    client: TestClient, page: str
) -> None:
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "://" not in html.text and "//" not in re.sub(r"<!--.*?-->", "", html.text, flags=re.S)
    urls = {a or b for a, b in REFERENCE.findall(html.text)} | set(SPEC_URL.findall(html.text))
    scripts = {u for u in urls if u.endswith(".js")}
    assert scripts and "/openapi.json" in urls
    if page == "/docs":
        assert any(u.endswith(".css") for u in urls)
    for url in sorted(urls):
        assert url.startswith("/") and not url.startswith("//"), f"{url} is off-host"
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 1000, url
    for script in scripts:
        assert client.get(script).headers["content-type"].startswith("text/javascript")


def test_the_swagger_ui_shipped_reads_openapi_3_1(client: TestClient) -> None:
    # FastAPI writes OpenAPI 3.1; Swagger UI before 5 shows "no valid version field" for it.
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/docs/assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.', bundle)
    assert version is not None and int(version.group(1)) >= 5


def test_the_asset_folder_lists_nothing_and_refuses_paths_outside_it(client: TestClient) -> None:
    assert client.get("/docs/assets/").status_code == 404
    for escape in ("/docs/assets/../core.py", "/docs/assets/%2e%2e/core.py"):
        assert client.get(escape).status_code == 404  # fastapi_offline/core.py stays unread
