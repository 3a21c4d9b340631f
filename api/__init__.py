"""The read API: brand scan analytics over HTTP, behind OAuth 2.0 bearer tokens."""
