-- Years of the place layers of 0014, as 0015 gives the others, for long windows of by_region
-- and by_city:
--   scan_yearly_place_totals        from scan_monthly_place_totals: the organization's places;
--   scan_yearly_brand_place_totals  from scan_monthly_brand_place_totals: a brand's;
--   scan_yearly_gtin_place_totals   from scan_monthly_gtin_place_totals: the top products'.
-- Kept by the triggers of 0015 (`scan_layer_attach`), inside the statements of 0014.

CREATE TABLE scan_yearly_place_totals (
    organization_id text    NOT NULL,
    year            date    NOT NULL CHECK (extract(doy FROM year) = 1),
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, year, country_code, region_code, region_name, city)
);

CREATE TABLE scan_yearly_brand_place_totals (
    organization_id text    NOT NULL,
    brand_id        text    NOT NULL,
    year            date    NOT NULL CHECK (extract(doy FROM year) = 1),
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, brand_id, year, country_code, region_code, region_name, city)
);

-- by GTIN first, as the months: the top GTINs' years are one short range each
CREATE TABLE scan_yearly_gtin_place_totals (
    organization_id text    NOT NULL,
    gtin            text    NOT NULL,
    year            date    NOT NULL CHECK (extract(doy FROM year) = 1),
    brand_id        text    NOT NULL,
    country_code    text    NOT NULL,
    region_code     text    NOT NULL,
    region_name     text    NOT NULL,
    city            text    NOT NULL,
    scans           bigint  NOT NULL,
    PRIMARY KEY (organization_id, gtin, year, brand_id, country_code, region_code, region_name, city)
);

SELECT scan_layer_attach('scan_monthly_place_totals', 'scan_yearly_place_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date',
                         'country_code, region_code, region_name, city', 'scans');
SELECT scan_layer_attach('scan_monthly_brand_place_totals', 'scan_yearly_brand_place_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date',
                         'brand_id, country_code, region_code, region_name, city', 'scans');
SELECT scan_layer_attach('scan_monthly_gtin_place_totals', 'scan_yearly_gtin_place_totals', 'year',
                         'date_trunc(''year'', month::timestamp)::date',
                         'gtin, brand_id, country_code, region_code, region_name, city', 'scans');

-- Recompute these layers from the months (scan_place_totals_rebuild of 0014 refills them too,
-- through the triggers).
CREATE FUNCTION scan_yearly_place_totals_rebuild() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE scan_yearly_place_totals, scan_yearly_brand_place_totals, scan_yearly_gtin_place_totals;
    INSERT INTO scan_yearly_place_totals
        (organization_id, year, country_code, region_code, region_name, city, scans)
    SELECT organization_id, date_trunc('year', month::timestamp)::date, country_code, region_code,
           region_name, city, sum(scans)
    FROM scan_monthly_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 2, 1, 3, 4, 5, 6;
    INSERT INTO scan_yearly_brand_place_totals
        (organization_id, brand_id, year, country_code, region_code, region_name, city, scans)
    SELECT organization_id, brand_id, date_trunc('year', month::timestamp)::date, country_code,
           region_code, region_name, city, sum(scans)
    FROM scan_monthly_brand_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 3, 1, 2, 4, 5, 6, 7;
    INSERT INTO scan_yearly_gtin_place_totals
        (organization_id, gtin, year, brand_id, country_code, region_code, region_name, city, scans)
    SELECT organization_id, gtin, date_trunc('year', month::timestamp)::date, brand_id, country_code,
           region_code, region_name, city, sum(scans)
    FROM scan_monthly_gtin_place_totals
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8;
$$;

SELECT scan_yearly_place_totals_rebuild();

GRANT SELECT ON scan_yearly_place_totals, scan_yearly_brand_place_totals, scan_yearly_gtin_place_totals
    TO scan_analytics_reader;
