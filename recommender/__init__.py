"""creator-match: find authentic-fit social-media creators for a brand.

    from recommender import Recommender, Brief
    with Recommender("my-index", create=True) as rec:
        rec.ingest(["creators.jsonl"])
        for m in rec.match(Brief(brief="solid shampoo launch", objective="ugc")):
            print(m.handle, m.score)

Nothing heavy is imported here: the model loads on first use.
"""

from .schema import Brief, Creator, Filters, Match, Post

__version__ = "0.1.0"

__all__ = ["Brief", "Creator", "Filters", "Match", "Post", "Recommender", "__version__"]


def __getattr__(name: str):
    if name == "Recommender":
        from .service import Recommender

        return Recommender
    raise AttributeError(name)
