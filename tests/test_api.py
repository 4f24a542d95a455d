"""The HTTP API against a real server: uvicorn on 127.0.0.1, a free port, talked to with httpx."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import DATA, creator
from serving import Server

from recommender.embedding import HashEmbedder
from recommender.service import Recommender

WRITE, READ = "test-write-key-0123", "test-read-key-0123"
W = {"Authorization": f"Bearer {WRITE}"}
R = {"X-API-Key": READ}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index = tmp_path_factory.mktemp("api") / "index"
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
    srv = Server(index, {"CREATOR_MATCH_API_KEYS": f"write:{WRITE},read:{READ}",
                         "CREATOR_MATCH_MAX_BODY_BYTES": "300000",
                         "CREATOR_MATCH_MAX_BATCH": "50"}).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def error_of(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["status"] == status and body["code"] and body["message"]
    return body


def test_auth_and_scopes(client):
    assert client.get("/v1/health").json()["creators"] == 360
    error_of(client.get("/v1/stats"), 401)
    error_of(client.get("/v1/stats", headers={"X-API-Key": "nope"}), 401)
    error_of(client.get("/v1/stats", headers={"Authorization": "Basic abc"}), 401)
    got = client.get("/v1/stats", headers=R)
    assert got.status_code == 200 and got.json()["query_precision"] is None
    assert got.json()["to_ingest_again"] == 0
    assert client.get("/v1/stats", headers=W).status_code == 200
    e = error_of(client.post("/v1/creators", json={"creators": [creator("x")]}, headers=R), 403)
    assert "write" in e["message"]
    error_of(client.delete("/v1/creators/x", headers=R), 403)
    assert client.post("/v1/match", json={"brief": "x"}, headers=R).status_code == 200
    assert client.get("/v1/me", headers=R).json() == {"scope": "read", "writes": True}
    assert client.get("/v1/me", headers=W).json() == {"scope": "write", "writes": True}
    error_of(client.get("/v1/me"), 401)


def test_upsert_get_delete(client):
    r = client.post("/v1/creators", headers=W, json={"creators": [
        creator("api_a", "unique velvet turtle phrase"), {"id": "api_b", "platform": "x"},
        creator("api_c", followers=-3)]})
    assert r.status_code == 200
    body = r.json()
    assert (body["added"], body["rejected"]) == (1, 2)
    assert {(e["index"], e["field"]) for e in body["errors"]} >= {(1, "followers"),
                                                                   (2, "followers")}
    got = client.get("/v1/creators/api_a", headers=R).json()
    assert got["record"]["id"] == "api_a" and got["tier"] == "micro" and "flags" in got["signals"]
    m = client.post("/v1/match", headers=R, json={"brief": "unique velvet turtle phrase",
                                                   "k": 1}).json()
    assert m["matches"][0]["creator_id"] == "api_a" and m["took_ms"] >= 0
    assert client.delete("/v1/creators/api_a", headers=W).status_code == 204
    error_of(client.get("/v1/creators/api_a", headers=R), 404)
    error_of(client.delete("/v1/creators/api_a", headers=W), 404)
    m = client.post("/v1/match", headers=R, json={"brief": "unique velvet turtle phrase",
                                                   "k": 5}).json()
    assert "api_a" not in [x["creator_id"] for x in m["matches"]]


def test_a_scrapers_records_of_posts_are_upserted_as_their_creators(client):
    """The bulk upsert reads records that are each one post with its author's fields as a
    file of them is read: each author a creator, each record one of its posts; an error names
    the record's position and its field as written."""
    posts = [{"id": 1, "text": "Soupe de fanes", "diggCount": 120, "authorMeta": {
                  "name": "api.lea", "fans": 8400}},
             {"id": 2, "text": "Pain perdu", "diggCount": "lots", "authorMeta": {
                  "name": "api.tom", "fans": 900}},
             {"id": 3, "text": "Pain perdu", "diggCount": 80, "authorMeta": {
                  "name": "api.lea", "fans": 8400}}]
    r = client.post("/v1/creators", headers=W, params={"platform": "tiktok"},
                    json={"creators": posts})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["added"], body["rejected"]) == (1, 1)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "diggCount")]  # 0-based
    got = client.get("/v1/creators/api.lea", headers=R).json()["record"]
    assert [(p["id"], p["likes"]) for p in got["posts"]] == [("1", 120), ("3", 80)]
    # it gives no language: the shared index's language filters would say so from now on
    assert client.delete("/v1/creators/api.lea", headers=W).status_code == 204


def test_strict_upsert_writes_nothing(client):
    e = error_of(client.post("/v1/creators?strict=true", headers=W, json={"creators": [
        creator("api_strict"), {**creator("api_bad"), "followers": "many"}]}), 422)
    assert e["details"] == [{"index": 1, "id": "api_bad", "field": "followers",
                             "reason": e["details"][0]["reason"]}]  # as in the normal mode
    error_of(client.get("/v1/creators/api_strict", headers=R), 404)


def test_match_and_similar(client):
    body = {"brief": "zero waste shampoo bar", "values": "honest, local", "objective": "ugc",
            "k": 5, "filters": {"tiers": ["nano", "micro"], "languages": ["en"]}}
    r = client.post("/v1/match", headers=R, json=body).json()
    assert len(r["matches"]) == 5 and r["notes"] == [] and r["brief_id"] is None
    # a brief's id of the planner's own is answered back with its matches
    r = client.post("/v1/match", headers=R, json={**body, "id": 17, "k": 1}).json()
    assert r["brief_id"] == "17" and len(r["matches"]) == 1
    # how the brief was read, when a planner should know
    said = client.post("/v1/match", headers=R, json={
        "brief": "Looking for UGC creators", "values": "no plastic", "k": 3}).json()
    assert said["matches"] and len(said["notes"]) == 2
    assert said["notes"][0].startswith("the brief names no subject")
    assert said["notes"][1].startswith("the values statement only rejects things")
    # tiers asked for in words, not as a filter: said, and said once they are a filter no more
    worded = {"brief": "nano and micro-influencers for a zero waste shampoo bar", "k": 3}
    said = client.post("/v1/match", headers=R, json=worded).json()
    assert said["notes"] == [said["notes"][0]] and "--tier nano,micro" in said["notes"][0]
    said = client.post("/v1/match", headers=R, json={**worded, "filters": {"tiers": ["nano"]}})
    assert said.json()["notes"] == []
    said = client.post("/v1/match", headers=R, json={
        "brief": "Awareness campaign: zero waste shampoo bar", "k": 3}).json()
    assert len(said["notes"]) == 1 and "--objective awareness" in said["notes"][0]
    # an audience size in words: said, and said no more once the brief filters on it
    sized = {"brief": "zero waste shampoo bar, creators with 1k-50k followers", "k": 3}
    said = client.post("/v1/match", headers=R, json=sized).json()
    assert len(said["notes"]) == 1 and "--min-followers 1000" in said["notes"][0]
    said = client.post("/v1/match", headers=R, json={**sized, "filters": {"max_followers": 50000}})
    assert said.json()["notes"] == []
    # the platforms in words: said, and said no more once the brief filters on one
    posted = {"brief": "zero waste shampoo bar, 3 Instagram reels", "k": 3}
    said = client.post("/v1/match", headers=R, json=posted).json()
    assert len(said["notes"]) == 1 and "--platform instagram" in said["notes"][0]
    said = client.post("/v1/match", headers=R, json={
        **posted, "filters": {"platforms": ["instagram"]}})
    assert said.json()["notes"] == []
    # values written into the brief: read as its values statement, and said so
    said = client.post("/v1/match", headers=R, json={
        "brief": "zero waste shampoo bar. We care about honest, local makers.", "k": 3}).json()
    assert said["matches"] and all(m["components"]["values"] is not None
                                   for m in said["matches"])
    assert len(said["notes"]) == 1 and "honest, local makers" in said["notes"][0]
    for m in r["matches"]:
        assert m["tier"] in ("nano", "micro") and set(m["components"]) == {
            "similarity", "values", "keywords", "tier_fit", "engagement", "authenticity"}
    source = r["matches"][0]["creator_id"]
    s = client.get(f"/v1/creators/{source}/similar?k=3", headers=R).json()
    assert len(s["matches"]) == 3 and source not in [m["creator_id"] for m in s["matches"]]
    error_of(client.get("/v1/creators/nobody/similar", headers=R), 404)
    error_of(client.get(f"/v1/creators/{source}/similar?k=0", headers=R), 422)


@pytest.mark.parametrize("body,field", [
    ({}, "brief"), ({"brief": "x", "k": 0}, "k"), ({"brief": "x", "objective": "fame"},
                                                  "objective"),
    ({"brief": "x", "filters": {"min_followers": -1}}, "filters.min_followers"),
    ({"brief": "x", "filters": {"tiers": ["mega"]}}, None),
    ({"brief": "x", "surprise": 1}, "surprise"), ([1, 2], None), ("text", None)])
def test_bad_match_bodies_are_422(client, body, field):
    e = error_of(client.post("/v1/match", headers=R, json=body), 422)
    if field:
        assert field in [d["field"] for d in e["details"]]


def test_a_field_a_body_does_not_have_names_the_one_meant(client):
    """A misspelt field of a match or plan body is named with the field most likely meant,
    as ingest and brief files name it."""
    e = error_of(client.post("/v1/match", headers=R, json={
        "brief": "x", "valeus": "repair", "filters": {"languge": ["fr"]}}), 422)
    reasons = {d["field"]: d["reason"] for d in e["details"]}
    assert "did you mean values?" in reasons["valeus"]
    assert "did you mean languages?" in reasons["filters.languge"]
    e = error_of(client.post("/v1/plan", headers=R, json={"brief": "x", "budget": 900,
                                                           "budjet": 1}), 422)
    assert "did you mean budget?" in e["details"][0]["reason"]
    e = error_of(client.post("/v1/match", headers=R, json={"brief": "x", "values": [1]}), 422)
    assert e["details"][0]["reason"] == "a statement, or a list of strings: item 0 is 1"


def test_malformed_json_and_limits(client):
    error_of(client.post("/v1/match", headers={**R, "content-type": "application/json"},
                         content=b"{not json"), 400)  # not JSON at all: a bad request
    error_of(client.post("/v1/creators", headers=W, json={"creators": [creator(f"b{i}")
                                                                       for i in range(51)]}), 413)
    big = {"creators": [creator("big", bio="x" * 400_000)]}
    error_of(client.post("/v1/creators", headers=W, json=big), 413)
    error_of(client.post("/v1/creators", headers=W, json={"creators": "nope"}), 422)


def test_matches_keep_answering_during_upserts(client, server):
    stop = threading.Event()
    statuses: list[int] = []

    def reader():
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not stop.is_set():
                statuses.append(c.post("/v1/match", headers=R,
                                       json={"brief": "travel by train", "k": 10}).status_code)

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(reader) for _ in range(4)]
        for batch in range(3):
            r = client.post("/v1/creators", headers=W, json={"creators": [
                creator(f"conc_{batch}_{i}", f"night train travel {batch} {i}")
                for i in range(40)]})
            assert r.status_code == 200 and r.json()["added"] == 40
            # visible at once and whole
            for i in (0, 39):
                assert client.get(f"/v1/creators/conc_{batch}_{i}", headers=R).status_code == 200
        stop.set()
        for f in futures:
            f.result()
    assert statuses and set(statuses) == {200}


def test_restart_keeps_acknowledged_writes(tmp_path):
    index = tmp_path / "index"
    srv = Server(index, {"CREATOR_MATCH_API_KEYS": f"write:{WRITE}"}).start()
    try:
        r = httpx.post(f"{srv.url}/v1/creators", headers=W, json={"creators": [
            creator(f"keep{i}") for i in range(5)]})
        assert r.json()["added"] == 5
    finally:
        srv.stop()
    srv = Server(index, {"CREATOR_MATCH_API_KEYS": f"write:{WRITE}"}).start()
    try:
        for i in range(5):
            assert httpx.get(f"{srv.url}/v1/creators/keep{i}", headers=W).status_code == 200
    finally:
        srv.stop()


def test_serve_without_keys_creates_one_and_keeps_only_its_hash(tmp_path):
    srv = Server(tmp_path / "index").start()
    try:
        time.sleep(0.5)
        srv.stop()
        key = re.search(r"(cm_[A-Za-z0-9_-]+)", srv.output).group(1)
        stored = (tmp_path / "index" / "api-keys.json").read_text()
        assert key not in stored and '"scope": "write"' in stored
        srv2 = Server(tmp_path / "index").start()
        try:
            assert httpx.get(f"{srv2.url}/v1/stats", headers={"X-API-Key": key}).status_code == 200
            assert httpx.get(f"{srv2.url}/v1/stats").status_code == 401
        finally:
            srv2.stop()
        assert "Created a write key" not in srv2.output  # printed once, at creation only
    finally:
        srv.stop()


def test_openapi_has_an_example_for_each_endpoint(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def has_example(obj) -> bool:
        if isinstance(obj, dict):
            if "example" in obj or "examples" in obj:
                return True
            ref = obj.get("$ref")
            if ref and has_example(schemas[ref.split("/")[-1]]):
                return True
            return any(has_example(v) for v in obj.values())
        if isinstance(obj, list):
            return any(has_example(v) for v in obj)
        return False

    ops = [(path, method, op) for path, item in spec["paths"].items()
           for method, op in item.items()]
    assert {p for p, _, _ in ops} >= {"/v1/creators", "/v1/creators/{creator_id}", "/v1/match",
                                       "/v1/creators/{creator_id}/similar", "/v1/health",
                                       "/v1/stats"}
    for path, method, op in ops:
        ok = op.get("responses", {}).get("200") or op.get("responses", {}).get("204")
        assert ok is not None
        assert has_example(op.get("requestBody", {})) or has_example(ok) or method == "delete", \
            (path, method)
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])


def test_the_spec_is_valid_openapi_and_types_every_body(client):
    """A client generator needs a valid spec whose bodies are typed: an upsert's items are
    Creator records (before: `items: {}`)."""
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").json()
    validate(spec)
    upsert = spec["paths"]["/v1/creators"]["post"]["requestBody"]["content"]
    body = spec["components"]["schemas"][
        upsert["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert body["properties"]["creators"]["items"] == {"$ref": "#/components/schemas/Creator"}
    assert {"id", "platform", "followers", "posts"} <= set(
        spec["components"]["schemas"]["Creator"]["properties"])
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if status != "204":
                    assert answer["content"]["application/json"]["schema"], (path, method)


def test_health_says_when_the_model_is_ready(client):
    h = client.get("/v1/health").json()
    assert h["ready"] is True and h["status"] == "ok" and h["model"] and h["creators"] > 0


def test_schemathesis_finds_no_server_errors(server):
    """A bounded property-based run against the served /openapi.json: positive and negative
    cases for every operation, with a write key; no response may be a 5xx."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation import GenerationMode

    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    cases: list[tuple[str, int]] = []
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=30, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case):  # called at once, in this iteration: the loop variables hold
                response = case.call(base_url=server.url, headers=dict(W), timeout=30)
                cases.append((op.label, response.status_code))  # noqa: B023
                if response.status_code >= 500:
                    failures.append(f"{op.label} {mode.value}: {response.status_code} "  # noqa: B023
                                    f"{response.text[:200]} for {case.body!r:.200}")

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode == GenerationMode.NEGATIVE
    print(f"schemathesis: {len(cases)} cases over {len({c[0] for c in cases})} operations, "
          f"{len(failures)} server errors; statuses {sorted(Counter(c[1] for c in cases).items())}")
    assert len(cases) >= 100
    assert failures == []


def test_serve_caps_malloc_arenas_unless_the_user_did(monkeypatch):
    """glibc's per-thread arenas fragment under the worker threads (benchmarks/load.py): serve
    caps them, and leaves MALLOC_ARENA_MAX to the user who set it."""
    import platform

    from api.server import bound_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert bound_malloc_arenas(2) is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    if platform.libc_ver()[0] == "glibc":
        assert bound_malloc_arenas(8) is True  # 8 per core is glibc's own default bound


def test_text_utf8_cannot_hold_is_refused_per_record(client):
    """A lone surrogate (valid JSON escape, invalid Unicode) is a per-record error naming the
    field; the batch's other records are written and the answer says so."""
    body = ('{"creators": [' + json.dumps(creator("ok_sur")) + ', {"id": "bad_sur", '
            '"platform": "x", "followers": 5, "bio": "caf\\ud800"}]}')
    r = client.post("/v1/creators", headers={**W, "content-type": "application/json"},
                    content=body.encode())
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["added"], out["rejected"]) == (1, 1)
    assert "bio" in out["errors"][0]["reason"] and "surrogate" in out["errors"][0]["reason"]
    assert client.get("/v1/creators/ok_sur", headers=R).status_code == 200
    error_of(client.get("/v1/creators/bad_sur", headers=R), 404)


def test_ids_travel_in_urls_and_odd_values_are_refused(client):
    r = client.post("/v1/creators", headers=W, json={"creators": [
        creator("a/b"), creator("nul\u0000id"), creator("sp ace"), creator("ok:id-1.x@y+z")]})
    out = r.json()
    assert (out["added"], out["rejected"]) == (1, 3)
    assert {e["field"] for e in out["errors"]} == {"id"}
    assert client.get("/v1/creators/ok:id-1.x@y+z", headers=R).status_code == 200
    error_of(client.post("/v1/match", headers=R, json={"brief": "x", "k": True}), 422)
    error_of(client.post("/v1/match", headers=R, json={
        "brief": "x", "filters": {"min_followers": False}}), 422)
    e = error_of(client.get("/v1/creators/" + "x" * 50_000, headers=R), 404)
    assert len(e["message"]) < 200


def test_the_api_documentation_is_public_and_nothing_else_is(client):
    for path in ("/docs", "/openapi.json", "/v1/health"):
        assert client.get(path).status_code == 200, path
    # the docs page loads nothing from another host: its assets come from the package
    page = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/docs/assets/") or a.startswith("data:")
                          for a in assets), assets
    for a in assets:
        if a.startswith("/"):
            assert client.get(a).status_code == 200, a
    for method, path in (("GET", "/v1/stats"), ("POST", "/v1/match"),
                         ("GET", "/v1/creators/x"), ("GET", "/v1/creators/x/similar"),
                         ("POST", "/v1/creators"), ("DELETE", "/v1/creators/x")):
        error_of(client.request(method, path), 401)


def test_health_counts_what_another_process_committed(server, tmp_path):
    """A CLI ingest into the served index shows in /v1/health at once (the committed count)."""
    before = httpx.get(f"{server.url}/v1/health").json()["creators"]
    records = tmp_path / "more.jsonl"
    records.write_text("\n".join(json.dumps(creator(f"cli_more_{i}")) for i in range(3)))
    r = subprocess.run([str(Path(sys.executable).with_name("creator-match")), "ingest",
                        str(records), "--index", str(server.index)], env=server.env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert httpx.get(f"{server.url}/v1/health").json()["creators"] == before + 3


def _raw(server, head: bytes, body: bytes = b"", wait: float = 30) -> bytes:
    """Send raw bytes; the answer's first line (the safety-net timeout is never reached when
    the server answers as it should)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as s:
        s.sendall(head + body)
        return s.recv(65536).split(b"\r\n", 1)[0]


def test_the_key_is_checked_before_the_body_is_read(server):
    """An unauthenticated request announcing a body it never sends is answered 401 at once:
    the server does not wait for (or read) the body of a client it does not know."""
    head = (b"POST /v1/creators HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200000\r\n\r\n")
    assert b" 401 " in _raw(server, head, b'{"creators": [')
    with_read_key = head.replace(b"Host: x\r\n", f"Host: x\r\nX-API-Key: {READ}\r\n".encode())
    assert b" 403 " in _raw(server, with_read_key)  # a read key on a write endpoint, body unread


def test_a_chunked_body_over_the_limit_is_413(server):
    head = (f"POST /v1/creators HTTP/1.1\r\nHost: x\r\nX-API-Key: {WRITE}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"x" * 100_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"0\r\n\r\n"
    assert b" 413 " in _raw(server, head, body)


def test_a_body_that_trickles_in_is_answered_408(tmp_path):
    srv = Server(tmp_path / "index", {"CREATOR_MATCH_API_KEYS": f"write:{WRITE}",
                                      "CREATOR_MATCH_BODY_TIMEOUT_S": "1"}).start()
    try:
        head = (f"POST /v1/match HTTP/1.1\r\nHost: x\r\nX-API-Key: {WRITE}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").encode()
        assert b" 408 " in _raw(srv, head, b'{"brief": ')
    finally:
        srv.stop()


def test_errors_a_client_can_act_on(client):
    """Malformed JSON is a 400, a body that is not JSON a 415, a filter value the index does
    not know a 422 naming its field; operation ids are the routes' names."""
    e = error_of(client.post("/v1/match", headers={**R, "content-type": "application/json"},
                             content=b'{"brief": "x",'), 400)
    assert e["details"][0]["field"] == "body"
    error_of(client.post("/v1/match", headers={**R, "content-type": "text/plain"},
                         content=b"brief=x"), 415)
    e = error_of(client.post("/v1/match", headers=R, json={"brief": "x",
                                                           "filters": {"tiers": ["mega"]}}), 422)
    assert e["details"] == [{"field": "filters.tiers", "reason": "unknown tier 'mega'; this "
                                                                "index has nano, micro, macro"}]
    e = error_of(client.post("/v1/match", headers=R, json={
        "brief": "x", "filters": {"countries": ["Frnace"]}}), 422)
    assert e["details"][0]["field"] == "filters.countries" and "FRNACE" in e["message"]
    found = client.post("/v1/match", headers=R, json={
        "brief": "x", "filters": {"countries": ["France"], "languages": ["French"]}}).json()
    assert found["matches"] and {(m["country"], m["language"]) for m in found["matches"]} == {
        ("FR", "fr")}
    ops = {op["operationId"] for path in client.get("/openapi.json").json()["paths"].values()
           for op in path.values()}
    assert ops == {"health", "stats", "me", "match", "plan", "upsert", "import_file",
                   "get_creator", "delete_creator", "similar", "browse"}


def test_the_catalogue_pages_with_a_cursor(client):
    """GET /v1/creators: every creator once across the pages, filters honoured, the cursor
    opaque to the client and checked."""
    total = client.get("/v1/health").json()["creators"]
    seen, cursor = [], None
    while True:
        r = client.get("/v1/creators", headers=R,
                       params={"limit": 97, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [c["id"] for c in page["creators"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == total
    nano = client.get("/v1/creators", headers=R, params={"tier": "nano", "country": "FR",
                                                          "limit": 1000}).json()["creators"]
    assert nano and {(c["tier"], c["country"]) for c in nano} == {("nano", "FR")}
    error_of(client.get("/v1/creators", headers=R, params={"cursor": "../x"}), 422)
    error_of(client.get("/v1/creators", headers=R, params={"country": "Frnace"}), 422)
    error_of(client.get("/v1/creators"), 401)



def test_plan_over_http(client):
    """POST /v1/plan: the plan, its alternatives and assumptions; bad input is a 422 naming
    the field."""
    r = client.post("/v1/plan", headers=R, json={
        "brief": "zero waste shampoo bar", "values": "honest reviews", "objective": "ugc",
        "budget": 20000, "currency": "EUR"})
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["currency"] == "EUR" and plan["totals"]["cost"] <= 20000 and plan["picks"]
    assert set(plan["alternatives"]) == {"best-fitting macro creators", "top of the match list",
                                         "the plan"}
    assert plan["assumptions"]["estimates"] and {"cost", "reach"} <= set(plan["picks"][0])
    e = error_of(client.post("/v1/plan", headers=R, json={
        "brief": "x", "budget": 1000, "mix": {"nano": 0.5}}), 422)
    assert "mix" in e["message"]
    e = error_of(client.post("/v1/plan", headers=R, json={"brief": "x", "budget": -3}), 422)
    assert e["details"][0]["field"] == "budget"


def test_worker_processes_share_the_port_and_see_each_others_writes(tmp_path):
    """serve --workers 2: every request answered, whichever process takes it, and a write made
    through one is seen through the other (the index's writer lock and refresh)."""
    index = tmp_path / "index"
    with Recommender(index, create=True, embedder=HashEmbedder(64)) as rec:
        rec.ingest([DATA / "creators.jsonl"])
    srv = Server(index, {"CREATOR_MATCH_API_KEYS": f"write:{WRITE},read:{READ}"},
                 workers=2).start()
    try:
        for i in range(6):  # new connections: the kernel spreads them over the workers
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                r = c.post("/v1/creators", headers=W, json={"creators": [
                    creator(f"wk_{i}", f"worker phrase {i}")]})
                assert r.json()["added"] == 1
        for _ in range(12):
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                assert c.get("/v1/health").json()["creators"] == 366
                assert c.get("/v1/creators/wk_5", headers=R).status_code == 200
    finally:
        srv.stop()


def test_the_workers_socket_is_tcp_so_replies_are_not_held_by_nagle():
    from api.workers import tcp_socket

    sock = tcp_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY only then
    finally:
        sock.close()


def test_import_a_workbook_or_a_csv_as_a_file(client, tmp_path):
    """A planner's Excel list goes in as it is: the file's bytes, its name saying its format;
    errors name the sheet, Excel's row, the field."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Creators"
    book.active.append(["ID", "Username", "Platform", "Follower count", "Language", "Bio"])
    book.active.append(["xl_a", "@xl.a", "IG", "12.4k", "French", "Cuisine végétale de saison"])
    book.active.append(["xl_b", "@xl.b", "myspace", 10, "fr", "bio"])
    posts = book.create_sheet("Posts")
    posts.append(["creator_id", "post_id", "caption", "likes", "comments"])
    posts.append(["xl_a", "p1", "Soupe de fanes de carottes", 300, 12])
    posts.append(["xl_a", "p2", None, 120, 4])
    data = io.BytesIO()
    book.save(data)
    r = client.post("/v1/creators/import", params={"name": "list.xlsx"}, headers=W,
                    content=data.getvalue())
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["added"], body["rejected"]) == (1, 1)
    assert body["errors"] == [{"file": "list.xlsx#Creators", "line": 3, "id": "xl_b",
                               "field": "Platform", "reason": body["errors"][0]["reason"]}]
    got = client.get("/v1/creators/xl_a", headers=R).json()
    assert got["record"]["followers"] == 12_400 and len(got["record"]["posts"]) == 2
    csv = b"id,platform,followers,bio\nxl_c,tiktok,900,retro speedruns\n"
    r = client.post("/v1/creators/import", params={"name": "c.csv"}, headers=W, content=csv)
    assert r.json()["added"] == 1
    error_of(client.post("/v1/creators/import", params={"name": "c.csv"}, headers=R,
                         content=csv), 403)
    e = error_of(client.post("/v1/creators/import", params={"name": "list.pdf"}, headers=W,
                             content=b"%PDF"), 422)
    assert ".xlsx" in e["message"]
    r = client.post("/v1/creators/import", params={"name": "list.xlsx"}, headers=W,
                    content=b"not a workbook")
    assert r.status_code == 200 and r.json()["errors"][0]["field"] == "file"


def test_writes_can_leave_out_what_the_format_does_not_have(client):
    """ignore_unknown: an export's extra fields and columns are left out and named in
    `ignored`; without it they reject their record, saying so."""
    rec = {"id": "u_a", "platform": "x", "followers": 10, "bio": "retro speedruns",
           "url": "http://a", "posts": [{"id": "p", "text": "a run", "views": 3, "url": "u"}]}
    r = client.post("/v1/creators", headers=W, json={"creators": [rec]})
    body = r.json()
    assert body["rejected"] == 1 and body["ignored"] == {}
    assert {e["field"] for e in body["errors"]} == {"url", "posts[0].url"}
    r = client.post("/v1/creators", headers=W, json={"creators": [rec]},
                    params={"ignore_unknown": "true"})
    assert (r.json()["added"], r.json()["ignored"]) == (1, {"url": 1, "posts.url": 1})
    csv = b"id,platform,followers,bio,verified\nu_b,tiktok,900,retro speedruns,true\n"
    r = client.post("/v1/creators/import", params={"name": "c.csv", "ignore_unknown": "true"},
                    headers=W, content=csv)
    assert (r.json()["added"], r.json()["ignored"]) == (1, {"verified": 1})


def test_a_file_of_one_platforms_accounts_is_given_its_platform(client):
    """A scraper's export of one platform's profiles names no platform: `platform` gives it
    to every record (or table row) without one; a record naming its own keeps it; a platform
    this does not read is refused, named, before anything is read."""
    recs = [{"id": "pf_a", "followers": 10, "bio": "retro speedruns"},
            {"id": "pf_b", "platform": "youtube", "followers": 10, "bio": "retro speedruns"}]
    r = client.post("/v1/creators", headers=W, json={"creators": recs})
    assert r.json()["rejected"] == 1 and "--platform" in r.json()["errors"][0]["reason"]
    r = client.post("/v1/creators", headers=W, json={"creators": recs},
                    params={"platform": "TikTok"})
    assert (r.json()["added"], r.json()["unchanged"], r.json()["rejected"]) == (1, 1, 0)
    assert client.get("/v1/creators/pf_a", headers=W).json()["record"]["platform"] == "tiktok"
    assert client.get("/v1/creators/pf_b", headers=W).json()["record"]["platform"] == "youtube"
    csv = b"username,followers,bio\n@pf_c,900,retro speedruns\n"
    r = client.post("/v1/creators/import", params={"name": "c.csv", "platform": "IG"},
                    headers=W, content=csv)
    assert r.json()["added"] == 1, r.json()
    r = client.post("/v1/creators", headers=W, json={"creators": recs},
                    params={"platform": "myspace"})
    assert r.status_code in (400, 422) and "myspace" in r.text
