-- Load the GSA Inventory of Owned and Leased Properties (IOLP) lease export
-- into demo.gsa_lease, one row per lease, with typed columns.
--
-- Usage: psql -v ON_ERROR_STOP=1 -f demo/load_gsa_leases.sql < gsa_iolp_leases_DATE.csv
--
-- The CSV comes from psql's standard input (pstdin), so the file may live
-- anywhere the client can read. COPY ... HEADER MATCH rejects a file whose
-- header differs from the column list below, so a changed export layout
-- fails here instead of loading shifted columns.
--
-- The export writes a missing value as an empty field or as the string "NA"
-- (Installation Name); both become NULL.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS demo;

CREATE TEMPORARY TABLE gsa_lease_staging (
  line                                    integer GENERATED ALWAYS AS IDENTITY,
  "Location Code"                         text,
  "Real Property Asset Name"              text,
  "Installation Name"                     text,
  "Federal Leased Code"                   text,
  "GSA Region"                            text,
  "Street Address"                        text,
  "City"                                  text,
  "State"                                 text,
  "Zip Code"                              text,
  "Latitude"                              text,
  "Longitude"                             text,
  "Building Rentable Square Feet"         text,
  "Available Square Feet"                 text,
  "Congressional District"                text,
  "Congressional District Representative" text,
  "Lease Number"                          text,
  "Lease Effective Date"                  text,
  "Lease Expiration Date"                 text,
  "Real Property Asset type"              text
);

\copy gsa_lease_staging ("Location Code", "Real Property Asset Name", "Installation Name", "Federal Leased Code", "GSA Region", "Street Address", "City", "State", "Zip Code", "Latitude", "Longitude", "Building Rentable Square Feet", "Available Square Feet", "Congressional District", "Congressional District Representative", "Lease Number", "Lease Effective Date", "Lease Expiration Date", "Real Property Asset type") FROM pstdin WITH (FORMAT csv, HEADER match, ENCODING 'UTF8')

-- The text of a field, or NULL for the export's missing-value markers.
CREATE FUNCTION pg_temp.gsa_value(field text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN btrim(field) IN ('', 'NA') THEN NULL ELSE btrim(field) END;

DROP TABLE IF EXISTS demo.gsa_lease;

CREATE TABLE demo.gsa_lease (
  id                 integer PRIMARY KEY,  -- data line number in the CSV file
  location_code      text NOT NULL,
  asset_name         text,
  installation_name  text,
  federal_leased_code text,
  gsa_region         integer,
  street_address     text,
  city               text,
  state              text CHECK (state ~ '^[A-Z]{2}$'),
  zip                text,
  latitude           numeric,
  longitude          numeric,
  rentable_sqft      numeric,
  available_sqft     numeric,
  congressional_district text,
  representative     text,
  lease_number       text,
  effective_date     date,
  expiration_date    date,
  asset_type         text
);

COMMENT ON TABLE demo.gsa_lease IS
  'GSA Inventory of Owned and Leased Properties: leases (public domain, U.S. General Services Administration)';

INSERT INTO demo.gsa_lease
SELECT line,
       pg_temp.gsa_value("Location Code"),
       pg_temp.gsa_value("Real Property Asset Name"),
       pg_temp.gsa_value("Installation Name"),
       pg_temp.gsa_value("Federal Leased Code"),
       pg_temp.gsa_value("GSA Region")::integer,
       pg_temp.gsa_value("Street Address"),
       pg_temp.gsa_value("City"),
       upper(pg_temp.gsa_value("State")),
       pg_temp.gsa_value("Zip Code"),
       pg_temp.gsa_value("Latitude")::numeric,
       pg_temp.gsa_value("Longitude")::numeric,
       pg_temp.gsa_value("Building Rentable Square Feet")::numeric,
       pg_temp.gsa_value("Available Square Feet")::numeric,
       pg_temp.gsa_value("Congressional District"),
       pg_temp.gsa_value("Congressional District Representative"),
       pg_temp.gsa_value("Lease Number"),
       pg_temp.gsa_value("Lease Effective Date")::date,
       pg_temp.gsa_value("Lease Expiration Date")::date,
       pg_temp.gsa_value("Real Property Asset type")
  FROM gsa_lease_staging
 ORDER BY line;

ANALYZE demo.gsa_lease;

SELECT count(*) AS gsa_leases_loaded FROM demo.gsa_lease \gset
\echo loaded :gsa_leases_loaded GSA leases into demo.gsa_lease
