"""OAuth 2.0 resource server: bearer JWTs checked against a JWKS; development keys and tokens."""
