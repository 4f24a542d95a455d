"""The ranker (ranking.py): the weighted components and diversity."""


from conftest import creator, ids_of, write_jsonl

from recommender.embedding import HashEmbedder
from recommender.schema import Brief
from recommender.service import Recommender


def test_diversity_keeps_near_duplicates_apart(tmp_path):
    from recommender.ranking import Ranker

    recs = [creator(f"dup{i}", "zero waste shampoo bar refill") for i in range(4)]
    recs.append(creator("other", "zero waste kitchen compost jars"))
    path = tmp_path / "idx"
    Recommender(path, embedder=HashEmbedder()).ingest([write_jsonl(tmp_path / "a.jsonl", recs)])
    plain = Recommender(path, embedder=HashEmbedder())
    diverse = Recommender(path, embedder=HashEmbedder(), ranker=Ranker(diversity=0.7))
    brief = Brief(brief="zero waste shampoo bar", k=2)
    assert ids_of(plain.match(brief))[1].startswith("dup")
    assert ids_of(diverse.match(brief))[1] == "other"
