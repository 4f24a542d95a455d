"""An index directory's storage: the SQLite catalog (creators, the text-embedding cache, the
write journal, the filter columns) and, beside it, the durable vector store over FAISS.

    database.py    the connection, transactions, meta
    migrations.py  the schema as numbered steps
    catalog.py     creator rows (the source of truth), composed of:
    textcache.py   every text's vector, keyed by a hash of the text (never embed twice)
    journal.py     generations and tombstones: what a vector snapshot lacks
    columns.py     in-memory filter columns; filters.py keeps them in step with the catalog
    vectors.py     the FAISS vectors: snapshot, replay, catch-up, the readers-writer lock
    checksums.py   a checksum of each stored row, verified on read
    health.py      what check verifies and what --repair may do
"""
