"""Themes: parse a theme file's TOML text, validate themes, match articles to themes. Pure."""
