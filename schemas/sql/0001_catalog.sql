-- The catalog: organizations own brands, brands own products (GTINs),
-- users are members of organizations with at most one default each.

CREATE TABLE organizations (
    organization_id text PRIMARY KEY,
    name            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE brands (
    brand_id        text PRIMARY KEY,
    organization_id text NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    name            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brands_organization_idx ON brands (organization_id);

CREATE TABLE products (
    gtin       text PRIMARY KEY CHECK (gtin ~ '^[0-9]{14}$'),
    brand_id   text NOT NULL REFERENCES brands (brand_id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_brand_idx ON products (brand_id);

CREATE TABLE organization_memberships (
    user_id         text NOT NULL,
    organization_id text NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    is_default      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organization_id)
);
CREATE UNIQUE INDEX organization_memberships_one_default_idx
    ON organization_memberships (user_id) WHERE is_default;
