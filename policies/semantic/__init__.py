"""The semantic layer beside the lexicons: pure scoring of sentence embeddings (see docs/speech.md)."""
