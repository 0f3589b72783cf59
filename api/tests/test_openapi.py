"""The OpenAPI 3 description is generated from the code, valid, and read by the docs page."""

from openapi_spec_validator import validate


def test_openapi_json_validates_and_describes_every_call(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert set(paths) == {
        "/api/v1/boot",
        "/api/v1/members/{member_id}",
        "/api/v1/customers/{customer_id}",
    }
    assert set(paths["/api/v1/members/{member_id}"]) == {"put", "get", "delete"}
    schemes = spec["components"]["securitySchemes"]
    assert schemes["PluginKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-Plugin-Key"}
    assert schemes["AccessKeyAuth"]["name"] == "X-Access-Key"
    assert schemes["AccessSecret"]["name"] == "X-Access-Secret"
    assert paths["/api/v1/members/{member_id}"]["get"]["security"] == [
        {"AccessKeyAuth": [], "AccessSecret": []}
    ]
    put = paths["/api/v1/members/{member_id}"]["put"]["responses"]
    assert {"200", "201", "400", "401", "404", "413", "429"} <= set(put)


def test_the_docs_page_reads_the_description(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.content.decode()
