"""Extraction: page text or HTML → clean body and metadata (headline, date, outlet, url, language). Pure."""
