"""Vector storage for creator-match: FAISS indexes behind one small interface, atomic persistence."""

from .base import VectorIndex
from .faiss_backends import FLAT_MAX, FlatIndex, IVFIndex, build, choose_kind, ivf_shape, load

__all__ = ["FLAT_MAX", "FlatIndex", "IVFIndex", "VectorIndex", "build", "choose_kind",
           "ivf_shape", "load"]
