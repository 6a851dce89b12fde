-- Generate synthetic office listings into demo.office_listing, for a demo
-- without the real listing files.
--
-- Usage: psql -v ON_ERROR_STOP=1 [-v listings=N] -f demo/generate_office_listings.sql
--
-- The rows are deterministic: every value derives from the row number and the
-- attribute name through md5, so two runs give the same rows in any order of
-- evaluation. available_from is an offset from the day of the run. A small
-- share of rows carries the defects that the office_listing_quality policy
-- looks for (contact details or sales phrases in the description, missing
-- energy ratings, implausible sizes and prices, one-word titles, few photos,
-- unverified brokers), at the rates set below.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?listings}
\else
  \set listings 5000
\endif
CREATE SCHEMA IF NOT EXISTS demo;

-- A number in [0, 1) derived from the row number and a salt.
CREATE FUNCTION pg_temp.unit(n integer, salt text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT
RETURN ('x' || substr(md5(n || ':' || salt), 1, 8))::bit(32)::bigint / 4294967296.0;

-- One element of a non-empty array, picked by the row number and a salt.
CREATE FUNCTION pg_temp.pick(n integer, salt text, choices text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN choices[1 + floor(pg_temp.unit(n, salt) * cardinality(choices))::integer];

-- Cities with their country, currency, a typical asking rent per square foot
-- and month in that currency, and coordinates. The rents are rough figures
-- chosen for the demo, not market data.
CREATE TEMPORARY TABLE office_city (city, country, currency, rent_sqft_month, lat, lon) AS
VALUES ('London',        'UK', 'GBP', 6.0,  51.5072, -0.1276),
       ('Manchester',    'UK', 'GBP', 2.8,  53.4808, -2.2426),
       ('Berlin',        'DE', 'EUR', 3.0,  52.5200, 13.4050),
       ('Munich',        'DE', 'EUR', 3.4,  48.1351, 11.5820),
       ('Paris',         'FR', 'EUR', 6.5,  48.8566,  2.3522),
       ('Lyon',          'FR', 'EUR', 2.2,  45.7640,  4.8357),
       ('Amsterdam',     'NL', 'EUR', 3.6,  52.3676,  4.9041),
       ('Madrid',        'ES', 'EUR', 2.6,  40.4168, -3.7038),
       ('Milan',         'IT', 'EUR', 5.0,  45.4642,  9.1900),
       ('Dublin',        'IE', 'EUR', 4.5,  53.3498, -6.2603),
       ('Warsaw',        'PL', 'PLN', 9.0,  52.2297, 21.0122),
       ('Zurich',        'CH', 'CHF', 4.2,  47.3769,  8.5417),
       ('New York',      'US', 'USD', 6.5,  40.7128, -74.0060),
       ('San Francisco', 'US', 'USD', 5.8,  37.7749, -122.4194),
       ('Chicago',       'US', 'USD', 3.6,  41.8781, -87.6298),
       ('Austin',        'US', 'USD', 3.9,  30.2672, -97.7431),
       ('Toronto',       'CA', 'CAD', 3.5,  43.6532, -79.3832),
       ('Singapore',     'SG', 'SGD', 9.5,   1.3521, 103.8198);

DROP TABLE IF EXISTS demo.office_listing;

CREATE TABLE demo.office_listing (
  id                integer PRIMARY KEY,
  title             text NOT NULL,
  description       text,
  city              text NOT NULL,
  country           text NOT NULL,
  property_type     text NOT NULL,
  size_sqft         numeric,
  desks             integer,
  price_month       numeric,
  currency          text NOT NULL,
  photo_count       integer,
  amenities         text[],
  energy_rating     text,
  available_from    date,
  lease_min_months  integer,
  floor             integer,
  lat               numeric,
  lon               numeric,
  broker_id         integer,
  broker_verified   boolean
);

COMMENT ON TABLE demo.office_listing IS 'synthetic office listings generated for the olpe demo';

INSERT INTO demo.office_listing
WITH base AS (
  SELECT n,
         c.*,
         pg_temp.pick(n, 'type', ARRAY['office', 'office', 'office', 'coworking',
                                       'serviced_office', 'private_suite']) AS property_type,
         pg_temp.unit(n, 'defect') AS defect,
         floor(pg_temp.unit(n, 'floor') * 30)::integer AS floor,
         -- Sizes follow a long tail: most offices are small, a few are whole
         -- floors.
         round(400 + 30000 * pg_temp.unit(n, 'size') ^ 3, -1) AS true_size_sqft
    FROM generate_series(1, :listings) AS n
    JOIN LATERAL (SELECT * FROM office_city
                   ORDER BY city
                  OFFSET floor(pg_temp.unit(n, 'city') * 18) LIMIT 1) AS c ON true
),
priced AS (
  SELECT b.*,
         -- 0.5% of the listed sizes lose three digits.
         CASE WHEN b.defect >= 0.02 AND b.defect < 0.025 THEN round(b.true_size_sqft / 1000)
              ELSE b.true_size_sqft END AS size_sqft,
         greatest(1, round(b.true_size_sqft / (120 + 80 * pg_temp.unit(n, 'desks'))))::integer AS desks,
         round(b.true_size_sqft * b.rent_sqft_month * (0.7 + 0.6 * pg_temp.unit(n, 'price'))
               -- 1% of the prices are typed per year instead of per month,
               -- and 1% lose three digits.
               * CASE WHEN b.defect < 0.01 THEN 12
                      WHEN b.defect < 0.02 THEN 0.001
                      ELSE 1 END, 0) AS price_month
    FROM base AS b
)
SELECT n,
       -- Titles: 1% are a single word, too short to say anything.
       CASE WHEN pg_temp.unit(n, 'title') < 0.01 THEN 'Office'
            ELSE format('%s %s for %s desks in %s',
                        pg_temp.pick(n, 'adjective', ARRAY['Bright', 'Quiet', 'Modern', 'Renovated',
                                                           'Flexible', 'Central', 'Spacious']),
                        replace(property_type, '_', ' '), desks, city)
       END,
       concat_ws(' ',
         format('%s sq ft on %s, available for teams of up to %s.',
                size_sqft, CASE floor WHEN 0 THEN 'the ground floor' ELSE 'floor ' || floor END, desks),
         pg_temp.pick(n, 'sentence1', ARRAY[
           'Walking distance to the main station.',
           'Floor-to-ceiling windows and a shared roof terrace.',
           'Meeting rooms can be booked by the hour.',
           'Bike storage and showers in the basement.',
           'Fully furnished, move in with a laptop.']),
         pg_temp.pick(n, 'sentence2', ARRAY[
           'Reception staffed on weekdays.',
           'Cleaning and utilities included in the rent.',
           'Flexible terms after the minimum lease.',
           'Visits on request.']),
         CASE WHEN pg_temp.unit(n, 'phone') < 0.03
              THEN format('Call %s-555-%s today.', 200 + floor(pg_temp.unit(n, 'area') * 700),
                          lpad(floor(pg_temp.unit(n, 'line') * 10000)::text, 4, '0')) END,
         CASE WHEN pg_temp.unit(n, 'email') < 0.02
              THEN format('Write to leasing%s@example.com.', n) END,
         CASE WHEN pg_temp.unit(n, 'spam') < 0.03
              THEN pg_temp.pick(n, 'spamword', ARRAY['Hurry, this deal will not last!',
                                                     'Guaranteed best price in town.',
                                                     'Limited time offer, act now.']) END),
       city,
       country,
       property_type,
       size_sqft,
       desks,
       price_month,
       currency,
       -- Photos: 6% of the listings have none.
       CASE WHEN pg_temp.unit(n, 'photo') < 0.06 THEN 0
            ELSE 1 + floor(pg_temp.unit(n, 'photos') * 15)::integer END,
       ARRAY(SELECT amenity
               FROM unnest(ARRAY['wifi', 'kitchen', 'meeting_rooms', 'parking', 'bike_storage',
                                 'showers', 'reception', 'air_conditioning', 'terrace', 'phone_booths'])
                    WITH ORDINALITY AS a(amenity, position)
              WHERE pg_temp.unit(n, 'amenity' || position) < 0.5
                    -- Coworking spaces nearly always list wifi.
                    OR (amenity = 'wifi' AND property_type = 'coworking'
                        AND pg_temp.unit(n, 'wifi') < 0.95)
              ORDER BY position),
       -- Energy ratings: 8% of the listings have none.
       CASE WHEN pg_temp.unit(n, 'energy') < 0.08 THEN NULL
            ELSE pg_temp.pick(n, 'rating', ARRAY['A', 'B', 'B', 'C', 'C', 'C', 'D', 'D', 'E', 'F', 'G']) END,
       current_date + (floor(pg_temp.unit(n, 'available') * 300) - 120)::integer,
       CASE WHEN property_type = 'coworking' THEN 1
            ELSE pg_temp.pick(n, 'lease', ARRAY['6', '12', '12', '24', '36', '60'])::integer END,
       floor,
       round((lat + (pg_temp.unit(n, 'lat') - 0.5) * 0.1)::numeric, 5),
       round((lon + (pg_temp.unit(n, 'lon') - 0.5) * 0.1)::numeric, 5),
       1 + floor(pg_temp.unit(n, 'broker') * 400)::integer,
       pg_temp.unit(n, 'verified') < 0.85
  FROM priced
 ORDER BY n;

ANALYZE demo.office_listing;

SELECT count(*) AS office_listings_generated FROM demo.office_listing \gset
\echo generated :office_listings_generated office listings into demo.office_listing
