"""API keys (api/auth.py): hashes only, a minimum length for keys of your own, and a keys file
read again when it changes."""

import os

import pytest

from api.auth import MIN_KEY_LENGTH, KeyStore, LiveKeys


def test_keys_of_your_own_have_a_minimum_length():
    with pytest.raises(ValueError, match=f"entry 2: a key needs at least {MIN_KEY_LENGTH}"):
        KeyStore.from_env("write:" + "k" * MIN_KEY_LENGTH + ",read:abc")
    assert KeyStore.from_env("read:" + "k" * MIN_KEY_LENGTH).scope_of("k" * MIN_KEY_LENGTH) \
        == "read"


def test_a_changed_keys_file_takes_effect_without_a_restart(tmp_path):
    path = tmp_path / "api-keys.json"
    env_key = "e" * 20
    live = LiveKeys(KeyStore.from_env(f"write:{env_key}"), path)
    assert live.scope_of(env_key) == "write" and len(live) == 1
    store = KeyStore()
    added = store.create("read")
    store.save(path)
    assert live.scope_of(added) == "read"  # added: works at once
    store.keys.clear()
    store.save(path)
    os.utime(path, ns=(1, 1))  # a same-size rewrite within the clock's tick still differs
    assert live.scope_of(added) is None  # revoked: refused at once
    path.write_text("{not json")
    assert live.scope_of(added) is None and live.scope_of(env_key) == "write"


def test_a_request_is_authorised_once(tmp_path):
    """The edge decides from the headers; the route's dependency reuses its decision instead
    of hashing the key and reading the keys file a second time."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from recommender.embedding import HashEmbedder
    from recommender.service import Recommender

    class Counting(LiveKeys):
        calls = 0

        def scope_of(self, key):
            Counting.calls += 1
            return super().scope_of(key)

    key = "r" * 20
    keys = Counting(KeyStore.from_env(f"read:{key}"), tmp_path / "api-keys.json")
    with Recommender(tmp_path / "idx", embedder=HashEmbedder(), create=True) as rec:
        app = create_app(rec, keys, Settings(index=tmp_path / "idx"))
        with TestClient(app) as client:
            assert client.get("/v1/stats", headers={"X-API-Key": key}).status_code == 200
            assert Counting.calls == 1
            r = client.post("/v1/creators", headers={"X-API-Key": key}, json={"creators": []})
            assert r.status_code == 403 and Counting.calls == 2
