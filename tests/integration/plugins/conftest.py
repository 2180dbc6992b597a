"""An app with the example plugin loaded next to the built-in ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient


@pytest.fixture(scope="session")
def example_pm() -> Any:
    from plugins.manager import new_plugin_manager
    from tests.example_plugin import plugin as example

    return new_plugin_manager(extra=[example])


@pytest.fixture(scope="session")
def example_app(test_settings: Any, example_pm: Any) -> Litestar:
    from web.app import create_app

    return create_app(test_settings, plugin_manager=example_pm)


@pytest.fixture
async def example_client(example_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=example_app, base_url="http://testserver.local") as c:
        yield c
