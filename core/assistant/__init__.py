"""The local assistant: semantic search and answers over the catalogue and strategies."""
