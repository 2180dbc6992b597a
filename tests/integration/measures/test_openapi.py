"""The area's JSON API is described in the OpenAPI schema (``/schema``)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient


async def test_openapi_lists_the_measures_api(client: AsyncTestClient) -> None:
    resp = await client.get("/schema/openapi.json")
    assert resp.status_code == 200, resp.text[:500]
    paths = resp.json()["paths"]
    for path in (
        "/api/v1/measures",
        "/api/v1/measures/{measure_id}",
        "/api/v1/measures/import",
        "/api/v1/measures/{measure_id}/progress/{reporting_date_id}",
        "/api/v1/online-services",
        "/api/v1/online-services/{service_id}/status/{reporting_date_id}",
        "/api/v1/reporting-dates",
        "/api/v1/reporting-dates/{reporting_date_id}/close",
        "/api/v1/org-units",
        "/api/v1/reports/committee",
    ):
        assert path in paths, path
