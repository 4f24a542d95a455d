"""One suite over every vector backend: exact (flat) and approximate (IVF)."""

import faiss
import numpy as np
import pytest

import index as vindex
from index.base import EXACT_SUBSET_MAX

DIM = 32


def data(n, seed=0):
    rng = np.random.default_rng(seed)
    # clustered, like real embeddings: IVF has structure to exploit
    centers = rng.normal(size=(20, DIM))
    x = centers[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, DIM))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = np.arange(1000, 1000 + n, dtype=np.int64) * 7  # sparse, non-contiguous ids
    return ids, x.astype(np.float32)


def exact(q, ids, x, k, allowed=None):
    mask = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
    s = q @ x[mask].T
    order = np.argsort(-s, axis=1)[:, :k]
    return ids[mask][order]


@pytest.fixture(params=["flat", "ivf"])
def built(request):
    ids, x = data(4000)
    return vindex.build(request.param, DIM, ids, x), ids, x


def test_search_matches_exact_search(built):
    idx, ids, x = built
    q = x[:50] + 0.01
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    _, got = idx.search(q, 10)
    want = exact(q, ids, x, 10)
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want, strict=True)])
    assert recall >= (1.0 if idx.kind == "flat" else 0.9)
    assert len(idx) == 4000


def test_upsert_replaces_and_remove_deletes(built):
    idx, ids, x = built
    target = ids[5]
    new = x[100] + 0.05 * np.random.default_rng(9).normal(size=DIM).astype(np.float32)
    new /= np.linalg.norm(new)
    idx.upsert([target], new[None, :])
    assert len(idx) == 4000
    atol = 1e-6 if idx.kind == "flat" else 0.02  # 8-bit codes
    np.testing.assert_allclose(idx.reconstruct(np.array([target]))[0], new, atol=atol)
    _, got = idx.search(new[None, :], 2)
    assert target in got[0]  # x[100] itself is its near-twin
    assert idx.remove(np.array([target, 123456789])) == 1
    assert len(idx) == 3999
    assert not idx.contains(np.array([target]))[0]
    _, got = idx.search(new[None, :], 5)
    assert target not in got
    with pytest.raises(ValueError, match="already present"):
        idx.add(ids[:1], x[:1])
    with pytest.raises(KeyError):
        idx.reconstruct(np.array([target]))


@pytest.mark.parametrize("n_allowed", [3, 40, EXACT_SUBSET_MAX + 500])
def test_filtered_search_is_exact_and_full(n_allowed):
    ids, x = data(EXACT_SUBSET_MAX + 2000, seed=1)
    for kind in ("flat", "ivf"):
        idx = vindex.build(kind, DIM, ids, x)
        rng = np.random.default_rng(2)
        allowed = rng.choice(ids, n_allowed, replace=False)
        q = x[rng.integers(0, len(ids), 5)]
        k = 20
        _, got = idx.search(q, k, allowed=allowed)
        want_n = min(k, n_allowed)
        for row in got:
            assert (row >= 0).sum() == want_n  # still k results when the filter is selective
            assert set(row[row >= 0]) <= set(allowed.tolist())
        want = exact(q, ids, x, k, allowed)
        for g, w in zip(got, want, strict=True):
            if kind == "flat":
                assert list(g[: want_n]) == list(w[: want_n])
            else:  # 8-bit codes: near-exact
                assert len(set(g[:want_n]) & set(w[:want_n])) >= 0.8 * want_n


def test_prepared_filter_searches_as_the_ids_do():
    """A match prepares its filter on a helper thread, before it knows which index object will
    search: the prepared form must give what the plain ids give, on any backend, and unsorted
    or repeated ids must come out sorted and unique."""
    ids, x = data(EXACT_SUBSET_MAX + 3000, seed=3)
    rng = np.random.default_rng(4)
    allowed = rng.choice(ids, EXACT_SUBSET_MAX + 1000, replace=False)  # unsorted
    q = x[rng.integers(0, len(ids), 4)]
    flat, ivf = vindex.build("flat", DIM, ids, x), vindex.build("ivf", DIM, ids, x)
    prepared = ivf.prepare(np.concatenate([allowed, allowed[:50]]))
    assert isinstance(prepared, vindex.Allowed) and prepared.selector is not None
    np.testing.assert_array_equal(prepared.ids, np.sort(allowed))
    assert ivf.prepare(prepared) is prepared  # prepared once, not again
    for idx in (ivf, flat):  # prepared by one index, searched by another
        got_s, got = idx.search(q, 20, prepared)
        want_s, want = idx.search(q, 20, allowed)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(got_s, want_s)
        assert set(got.ravel().tolist()) <= set(allowed.tolist())
    small = ivf.prepare(allowed[:30])  # scored exactly: nothing for the backend to build
    assert small.selector is None
    np.testing.assert_array_equal(ivf.search(q, 5, small)[1], ivf.search(q, 5, allowed[:30])[1])


def test_bitmap_selector_admits_the_allowed_ids_only():
    """FAISS's IDSelectorBitmap takes its size in bytes; given the number of bits it read up to
    seven eighths of its length past the array, and at a million creators a filtered match now
    and then returned creators beyond the filter's last id (a macro one for a nano brief)."""
    from index.faiss_backends import BITMAP_MIN, _selector

    rng = np.random.default_rng(5)
    allowed = np.sort(rng.choice(50_000, BITMAP_MIN + 100, replace=False))
    sel, bits = _selector(allowed)
    assert isinstance(sel, faiss.IDSelectorBitmap)
    assert sel.n == len(bits)  # bytes, as is_member reads them
    probe = np.arange(0, 8 * len(bits) * 8)  # far past the last allowed id
    member = np.array([sel.is_member(int(i)) for i in probe])
    np.testing.assert_array_equal(member, np.isin(probe, allowed))


def test_persistence_roundtrip(built):
    idx, ids, x = built
    again = vindex.load(idx.kind, DIM, idx.to_bytes(), idx.params())
    assert len(again) == len(idx)
    q = x[:5]
    np.testing.assert_array_equal(again.search(q, 10)[1], idx.search(q, 10)[1])
    again.remove(ids[:10])
    again.add(ids[:10], x[:10])
    assert len(again) == len(idx)


def test_padding_when_fewer_than_k(built):
    idx, ids, x = built
    s, got = idx.search(x[:1], 5, allowed=ids[:2])
    assert list(got[0, 2:]) == [-1, -1, -1] and np.isneginf(s[0, 2:]).all()
    s, got = idx.search(x[:1], 5, allowed=np.array([], np.int64))
    assert (got == -1).all()


def test_bad_arguments(built):
    idx, _, x = built
    with pytest.raises(ValueError, match="dimension"):
        idx.search(np.zeros((1, DIM + 1), np.float32), 3)
    with pytest.raises(ValueError, match="positive"):
        idx.search(x[:1], 0)


def test_auto_choice_and_ivf_shape():
    assert vindex.choose_kind(100) == "flat"
    assert vindex.choose_kind(vindex.FLAT_MAX) == "ivf"
    nlist, nprobe = vindex.ivf_shape(1_000_000)
    assert nlist == 1024 and nprobe == 32
    assert vindex.ivf_shape(40_000) == (800, 25)
    assert vindex.ivf_shape(100)[0] >= 1


@pytest.mark.parametrize("preset", [None, "ACTIVE"])
def test_openmp_threads_wait_passively_unless_told_otherwise(preset):
    """Importing index makes OpenMP's threads sleep between searches (spinning, they held the
    cores the encoder needed next), before faiss loads; a value the user set is kept."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if preset:
        env["OMP_WAIT_POLICY"] = preset
    code = ("import sys, os; import index; "
            "print(os.environ['OMP_WAIT_POLICY'], index.IVFIndex(8, 2, 1)._index.parallel_mode)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [preset or "PASSIVE", "1"]
