-- Load the UCI "Apartment for Rent Classified" listings (10,000 ads with free
-- text, UCI Machine Learning Repository dataset 555, DOI 10.24432/C5X623,
-- CC BY 4.0) into demo.apartment_ad, one row per ad, with typed columns.
--
-- Usage: psql -v ON_ERROR_STOP=1 -f demo/load_apartment_ads.sql < apartments_for_rent_classified_10K.csv
--
-- The CSV comes from psql's standard input (pstdin). COPY ... HEADER MATCH
-- rejects a file whose header differs from the column list below.
--
-- Conversions:
--   "null" or an empty field     NULL, in every column
--   amenities "A,B"              text[] {A,B}
--   pets_allowed "Cats,Dogs"     text[] {Cats,Dogs}; "None" (no pets allowed)
--                                is the empty array, "null" (unknown) is NULL
--   fee "Yes"/"No"               boolean
--   time (Unix epoch seconds)    timestamptz

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS demo;

CREATE TEMPORARY TABLE apartment_ad_staging (
  id            text,
  category      text,
  title         text,
  body          text,
  amenities     text,
  bathrooms     text,
  bedrooms      text,
  currency      text,
  fee           text,
  has_photo     text,
  pets_allowed  text,
  price         text,
  price_display text,
  price_type    text,
  square_feet   text,
  address       text,
  cityname      text,
  state         text,
  latitude      text,
  longitude     text,
  source        text,
  time          text
);

\copy apartment_ad_staging FROM pstdin WITH (FORMAT csv, HEADER match, ENCODING 'UTF8')

-- The text of a field, or NULL for the dataset's missing-value markers.
CREATE FUNCTION pg_temp.ad_value(field text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN btrim(field) IN ('', 'null') THEN NULL ELSE field END;

-- A comma-separated list as an array of trimmed, non-empty elements (NULL
-- for NULL).
CREATE FUNCTION pg_temp.ad_list(field text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT
RETURN ARRAY(SELECT btrim(element)
               FROM unnest(string_to_array(field, ',')) AS element
              WHERE btrim(element) <> '');

DROP TABLE IF EXISTS demo.apartment_ad;

CREATE TABLE demo.apartment_ad (
  id            bigint PRIMARY KEY,
  category      text,
  title         text,
  body          text,
  amenities     text[],
  bathrooms     numeric,
  bedrooms      numeric,
  currency      text,
  fee           boolean,
  has_photo     text,
  pets_allowed  text[],
  price         numeric,
  price_display text,
  price_type    text,
  square_feet   numeric,
  address       text,
  cityname      text,
  state         text,
  latitude      numeric,
  longitude     numeric,
  source        text,
  time          timestamptz
);

COMMENT ON TABLE demo.apartment_ad IS
  'Apartment for Rent Classified (UCI Machine Learning Repository, DOI 10.24432/C5X623, CC BY 4.0)';

INSERT INTO demo.apartment_ad
SELECT pg_temp.ad_value(id)::bigint,
       pg_temp.ad_value(category),
       pg_temp.ad_value(title),
       pg_temp.ad_value(body),
       pg_temp.ad_list(pg_temp.ad_value(amenities)),
       pg_temp.ad_value(bathrooms)::numeric,
       pg_temp.ad_value(bedrooms)::numeric,
       pg_temp.ad_value(currency),
       CASE lower(pg_temp.ad_value(fee))
         WHEN 'yes' THEN true
         WHEN 'no' THEN false
       END,
       pg_temp.ad_value(has_photo),
       CASE WHEN pg_temp.ad_value(pets_allowed) = 'None' THEN '{}'::text[]
            ELSE pg_temp.ad_list(pg_temp.ad_value(pets_allowed))
       END,
       pg_temp.ad_value(price)::numeric,
       pg_temp.ad_value(price_display),
       pg_temp.ad_value(price_type),
       pg_temp.ad_value(square_feet)::numeric,
       pg_temp.ad_value(address),
       pg_temp.ad_value(cityname),
       pg_temp.ad_value(state),
       pg_temp.ad_value(latitude)::numeric,
       pg_temp.ad_value(longitude)::numeric,
       pg_temp.ad_value(source),
       to_timestamp(pg_temp.ad_value(time)::bigint)
  FROM apartment_ad_staging;

ANALYZE demo.apartment_ad;

SELECT count(*) AS apartment_ads_loaded FROM demo.apartment_ad \gset
\echo loaded :apartment_ads_loaded apartment ads into demo.apartment_ad
