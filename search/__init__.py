"""Everything about meaning: embedders, the FAISS index, Indonesian lexical search, ranking, duplicates."""
