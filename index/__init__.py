"""Vector storage for creator-match: FAISS indexes behind one small interface, atomic
persistence."""

import os

# OpenMP threads (FAISS's) busy-wait after each parallel search by default, holding the cores
# that the next brief's encoder and the filters need: at a million creators on two cores that
# spinning cost a filtered match a third of its time. Passive threads sleep instead. It must be
# set before the OpenMP runtime loads (with faiss, below); a value the user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .base import Allowed, VectorIndex
from .faiss_backends import FLAT_MAX, FlatIndex, IVFIndex, build, choose_kind, ivf_shape, load

__all__ = ["FLAT_MAX", "Allowed", "FlatIndex", "IVFIndex", "VectorIndex", "build", "choose_kind",
           "ivf_shape", "load"]
