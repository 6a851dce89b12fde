-- Generate the benchmark workload: :rows office listings in bench.listing.
--
-- Usage: psql -v ON_ERROR_STOP=1 -v rows=N -f bench/generate.sql
--
-- Every value derives from the row number n through hashint8extended(n, salt),
-- with one salt per attribute, so the rows are the same in every run, on
-- every machine and in any order of evaluation. No value depends on the
-- day of the run.
--
-- About 5% of the rows break each rule of the reference policy
-- (bench/policy.sql): each rule has its own salt, and a row breaks the rule
-- when its draw for that salt is below 0.05. Rules with an applies_when
-- scope are broken by 5% of the rows in scope. The defects are independent,
-- so a row can break several rules, and about 40% of the rows break none.
--
-- The table is created and filled in one transaction, so that with
-- wal_level = minimal (as bench/run.sh sets it) the rows skip the WAL.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\if :{?rows}
\else
  \set rows 1000000
\endif

CREATE SCHEMA IF NOT EXISTS bench;

-- A number in [0, 1), uniform, from the row number and a salt. A SQL
-- function of one expression is inlined into the query, so a draw costs one
-- call of a C hash function.
CREATE OR REPLACE FUNCTION bench.draw(n bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ((hashint8extended(n, salt) >> 11) & 9007199254740991)::double precision
       / 9007199254740992.0;

-- One element of a non-empty array, picked by a draw.
CREATE OR REPLACE FUNCTION bench.pick(choices text[], u double precision) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN choices[1 + floor(u * cardinality(choices))::integer];

BEGIN;

-- Cities with their country, currency, a typical asking rent per square foot
-- and month in that currency, and coordinates. The rents are rough figures
-- picked for a plausible spread, not market data.
DROP TABLE IF EXISTS bench.city;
CREATE TABLE bench.city (
  city_number     integer PRIMARY KEY,
  city            text NOT NULL,
  country         text NOT NULL,
  currency        text NOT NULL,
  rent_sqft_month numeric NOT NULL,
  lat             double precision NOT NULL,
  lon             double precision NOT NULL
);
INSERT INTO bench.city
SELECT row_number() OVER () - 1, *
  FROM (VALUES
    ('London',        'UK', 'GBP',   6.5,  51.5072,   -0.1276),
    ('Manchester',    'UK', 'GBP',   2.9,  53.4808,   -2.2426),
    ('Dublin',        'IE', 'EUR',   4.6,  53.3498,   -6.2603),
    ('Paris',         'FR', 'EUR',   6.8,  48.8566,    2.3522),
    ('Lyon',          'FR', 'EUR',   2.3,  45.7640,    4.8357),
    ('Berlin',        'DE', 'EUR',   3.4,  52.5200,   13.4050),
    ('Munich',        'DE', 'EUR',   3.7,  48.1351,   11.5820),
    ('Frankfurt',     'DE', 'EUR',   3.5,  50.1109,    8.6821),
    ('Hamburg',       'DE', 'EUR',   2.8,  53.5511,    9.9937),
    ('Amsterdam',     'NL', 'EUR',   3.9,  52.3676,    4.9041),
    ('Brussels',      'BE', 'EUR',   2.4,  50.8503,    4.3517),
    ('Luxembourg',    'LU', 'EUR',   4.4,  49.6116,    6.1319),
    ('Madrid',        'ES', 'EUR',   2.9,  40.4168,   -3.7038),
    ('Barcelona',     'ES', 'EUR',   2.5,  41.3874,    2.1686),
    ('Lisbon',        'PT', 'EUR',   2.2,  38.7223,   -9.1393),
    ('Milan',         'IT', 'EUR',   5.0,  45.4642,    9.1900),
    ('Rome',          'IT', 'EUR',   3.6,  41.9028,   12.4964),
    ('Vienna',        'AT', 'EUR',   2.6,  48.2082,   16.3738),
    ('Helsinki',      'FI', 'EUR',   2.7,  60.1699,   24.9384),
    ('Stockholm',     'SE', 'SEK',  42.0,  59.3293,   18.0686),
    ('Copenhagen',    'DK', 'DKK',  17.0,  55.6761,   12.5683),
    ('Warsaw',        'PL', 'PLN',  11.0,  52.2297,   21.0122),
    ('Prague',        'CZ', 'CZK',  40.0,  50.0755,   14.4378),
    ('Bucharest',     'RO', 'RON',   8.5,  44.4268,   26.1025),
    ('Athens',        'GR', 'EUR',   1.9,  37.9838,   23.7275),
    ('Zurich',        'CH', 'CHF',   4.2,  47.3769,    8.5417),
    ('Oslo',          'NO', 'NOK',  38.0,  59.9139,   10.7522),
    ('New York',      'US', 'USD',   6.6,  40.7128,  -74.0060),
    ('San Francisco', 'US', 'USD',   5.9,  37.7749, -122.4194),
    ('Chicago',       'US', 'USD',   3.7,  41.8781,  -87.6298),
    ('Toronto',       'CA', 'CAD',   3.6,  43.6532,  -79.3832),
    ('Mexico City',   'MX', 'MXN',  42.0,  19.4326,  -99.1332),
    ('Sao Paulo',     'BR', 'BRL',   9.5, -23.5505,  -46.6333),
    ('Sydney',        'AU', 'AUD',   8.0, -33.8688,  151.2093),
    ('Auckland',      'NZ', 'NZD',   4.5, -36.8485,  174.7633),
    ('Singapore',     'SG', 'SGD',   9.8,   1.3521,  103.8198),
    ('Dubai',         'AE', 'AED',  13.0,  25.2048,   55.2708),
    ('Mumbai',        'IN', 'INR', 190.0,  19.0760,   72.8777),
    ('Hong Kong',     'HK', 'HKD',  95.0,  22.3193,  114.1694),
    ('Johannesburg',  'ZA', 'ZAR',  15.0, -26.2041,   28.0473)
  ) AS c(city, country, currency, rent_sqft_month, lat, lon);

-- Sentences for descriptions. None contains a digit, an '@' or a banned
-- phrase of the policy. The last three contain near misses of banned phrases ("wire
-- transfers", "risk-free", "prepay upfront"), which a whole-word match must
-- not count.
DROP TABLE IF EXISTS bench.sentence;
CREATE TABLE bench.sentence (
  sentence_number integer PRIMARY KEY,
  body            text NOT NULL
);
INSERT INTO bench.sentence
SELECT row_number() OVER () - 1, body
  FROM (VALUES
    ('Walking distance to the main station.'),
    ('Floor-to-ceiling windows fill the space with daylight from morning to evening.'),
    ('Meeting rooms can be booked by the hour through the building app.'),
    ('Bike storage, lockers and showers are available in the basement.'),
    ('The space comes fully furnished with height-adjustable desks and ergonomic chairs.'),
    ('A staffed reception welcomes your visitors on weekdays.'),
    ('Cleaning, heating, electricity and water are included in the monthly rent.'),
    ('Terms are flexible after the minimum lease period.'),
    ('Viewings can be arranged on request through the listing page.'),
    ('The building was renovated recently and meets current accessibility standards.'),
    ('A shared roof terrace offers views across the city.'),
    ('Several cafes, restaurants and a gym are within a short walk.'),
    ('Fibre broadband is installed, and tenants may bring their own provider.'),
    ('The open-plan layout can be divided with glass partitions.'),
    ('Secure underground parking is available for an additional fee.'),
    ('The lobby is staffed around the clock and access is controlled by key cards.'),
    ('Tenants share a fully equipped kitchen and a lounge area.'),
    ('Air conditioning and heating can be controlled in each zone.'),
    ('The landlord is open to fitting out the space to the needs of the tenant.'),
    ('Phone booths and quiet rooms make focused work easy.'),
    ('The neighbourhood mixes creative agencies, start-ups and established firms.'),
    ('Several bus and tram lines stop right outside the entrance.'),
    ('A large event space on the ground floor can be rented for talks and launches.'),
    ('The floor plan includes a private office, a boardroom and a storage room.'),
    ('Pets are welcome in the common areas of the building.'),
    ('High ceilings and exposed brick give the space a warm industrial character.'),
    ('Loading docks and a goods lift make deliveries simple.'),
    ('The unit has its own entrance from the street and large display windows.'),
    ('A community team organises breakfasts and networking evenings every month.'),
    ('The building holds a recognised green building certificate.'),
    ('Daylight sensors and presence detectors keep energy use low.'),
    ('There is space for a small team today and room to grow tomorrow.'),
    ('The lease can start immediately, subject to references.'),
    ('Printing, scanning and mail handling are part of the service.'),
    ('A nearby park is ideal for lunch breaks and walking meetings.'),
    ('The kitchenette has a dishwasher, a fridge and a coffee machine.'),
    ('Ground floor units suit a showroom, a studio or a shop.'),
    ('Rent is payable by bank transfer; wire transfers from abroad take longer.'),
    ('A risk-free trial week is offered to new members of the coworking floor.'),
    ('Tenants who prepay upfront for a year receive a small discount.')
  ) AS s(body);

-- Paragraphs of description text, built once from the sentences. Each
-- paragraph has a target length between 40 and 1,850 characters and takes
-- sentences until the next one would pass it (but at least one). head and
-- tail split the paragraph at a sentence boundary, where a listing may
-- insert a sentence of its own.
DROP TABLE IF EXISTS bench.paragraph;
CREATE TABLE bench.paragraph (
  paragraph_number integer PRIMARY KEY,
  head             text NOT NULL,
  tail             text NOT NULL
);
INSERT INTO bench.paragraph
WITH candidate AS (
  SELECT p, i, s.body,
         sum(length(s.body) + 1) OVER (PARTITION BY p ORDER BY i) AS running_length,
         40 + floor(1810 * bench.draw(p, 900) ^ 0.9) AS target_length,
         bench.draw(p, 901) AS split_draw
    FROM generate_series(0, 8191) AS p
         CROSS JOIN generate_series(1, 48) AS i
         JOIN bench.sentence AS s
           ON s.sentence_number = floor(bench.draw(p * 64 + i, 902) * 40)::integer
),
kept AS (
  SELECT c.*, count(*) OVER (PARTITION BY p) AS sentences
    FROM candidate AS c
   WHERE running_length <= target_length OR i = 1
)
SELECT p,
       coalesce(string_agg(body, ' ' ORDER BY i)
                  FILTER (WHERE i <= floor(split_draw * sentences)), ''),
       coalesce(string_agg(body, ' ' ORDER BY i)
                  FILTER (WHERE i > floor(split_draw * sentences)), '')
  FROM kept
 GROUP BY p;

DROP TABLE IF EXISTS bench.listing CASCADE;
CREATE TABLE bench.listing (
  id                    bigint PRIMARY KEY,
  title                 text NOT NULL,
  description           text NOT NULL,
  city                  text NOT NULL,
  country               text NOT NULL,
  property_type         text NOT NULL,
  size_sqft             integer NOT NULL,
  price_per_sqft_month  numeric(10,2) NOT NULL,
  price_month           numeric(14,2) NOT NULL,
  currency              text NOT NULL,
  desks                 integer NOT NULL,
  photo_count           integer NOT NULL,
  amenities             text[] NOT NULL,
  energy_rating         text,
  available_from        date NOT NULL,
  lease_min_months      integer NOT NULL,
  floor                 integer NOT NULL,
  lat                   double precision NOT NULL,
  lon                   double precision NOT NULL,
  broker_verified       boolean NOT NULL
);
-- No query filters on the long text columns, so they need no statistics,
-- and ANALYZE skips sorting their sampled values.
ALTER TABLE bench.listing ALTER COLUMN title SET STATISTICS 0,
                          ALTER COLUMN description SET STATISTICS 0;
COMMENT ON TABLE bench.listing IS 'generated office listings for the olpe benchmark (bench/generate.sql)';

/*
 * Salts: 1..49 pick ordinary values, 101..120 decide the defects of rule 1
 * to 20 of bench/policy.sql (in the order listed there), 201.. pick the
 * shape of a defect.
 */
INSERT INTO bench.listing
WITH base AS (
  -- OFFSET 0 keeps this subquery from being merged into the outer query,
  -- so each of its columns is computed once per row however often the
  -- outer query refers to it.
  SELECT n,
         c.city, c.country, c.currency, c.rent_sqft_month, c.lat AS city_lat, c.lon AS city_lon,
         p.head, p.tail,
         c.country IN ('UK', 'IE', 'FR', 'DE', 'NL', 'BE', 'LU', 'ES', 'PT', 'IT', 'AT',
                       'FI', 'SE', 'DK', 'PL', 'CZ', 'RO', 'GR') AS in_eu_uk,
         CASE WHEN bench.draw(n, 118) < 0.05
              THEN bench.pick('{warehouse,residential,parking,Office,land}', bench.draw(n, 218))
              ELSE bench.pick('{office,office,office,office,office,office,office,office,office,office,'
                              'coworking,coworking,coworking,retail,retail,retail,'
                              'industrial,industrial,industrial,mixed}', bench.draw(n, 3))
         END AS property_type,
         -- Sizes follow a long tail: most spaces are small, a few are whole
         -- buildings.
         CASE WHEN bench.draw(n, 104) < 0.05
              THEN CASE WHEN bench.draw(n, 204) < 0.5 THEN 5 + floor(bench.draw(n, 205) * 95)::integer
                        ELSE 500001 + floor(bench.draw(n, 205) * 2000000)::integer END
              ELSE 150 + floor(60000 * bench.draw(n, 4) ^ 3)::integer
         END AS size_sqft,
         CASE WHEN bench.draw(n, 120) < 0.05
              THEN CASE WHEN bench.draw(n, 220) < 0.5 THEN 0.00
                        ELSE round((501 + bench.draw(n, 221) * 4000)::numeric, 2) END
         END AS bad_price_per_sqft,
         bench.draw(n, 5) AS price_draw,
         bench.draw(n, 112) < 0.05 AS coworking_defect,
         bench.draw(n, 212) < 0.5 AS coworking_defect_no_desks
    FROM generate_series(1, :rows) AS n
         JOIN bench.city AS c ON c.city_number = floor(bench.draw(n, 1) * 40)::integer
         JOIN bench.paragraph AS p ON p.paragraph_number = floor(bench.draw(n, 2) * 8192)::integer
  OFFSET 0
),
priced AS (
  SELECT b.*,
         coalesce(b.bad_price_per_sqft,
                  round(b.rent_sqft_month * (0.7 + 0.6 * b.price_draw)::numeric, 2)) AS price_per_sqft_month,
         CASE WHEN b.property_type = 'coworking'
              THEN CASE WHEN b.coworking_defect AND b.coworking_defect_no_desks THEN 0
                        ELSE greatest(1, b.size_sqft / 60) END
              ELSE greatest(1, b.size_sqft / 150)
         END AS desks
    FROM base AS b
)
SELECT n,
       -- Title: rule 1 (length 10 to 120) and rule 15 (not all upper case).
       CASE WHEN bench.draw(n, 101) < 0.05
            THEN CASE WHEN bench.draw(n, 201) < 0.5
                      THEN bench.pick('{Office,Desk,Space,Unit,Retail,To let}', bench.draw(n, 202))
                      ELSE repeat(format('%s space in %s, ', initcap(property_type), city), 8) END
            WHEN bench.draw(n, 115) < 0.05
            THEN upper(format('%s %s %s in %s',
                              bench.pick('{Bright,Quiet,Modern,Renovated,Flexible,Central,Spacious}', bench.draw(n, 6)),
                              size_sqft || ' sq ft', property_type, city))
            ELSE format('%s %s %s in %s',
                        bench.pick('{Bright,Quiet,Modern,Renovated,Flexible,Central,Spacious}', bench.draw(n, 6)),
                        size_sqft || ' sq ft', property_type, city)
       END,
       -- Description: rule 2 (at least 50 characters), rule 9 (no phone
       -- number), rule 10 (no e-mail address), rule 11 (no banned phrase).
       CASE WHEN bench.draw(n, 102) < 0.05
            THEN format('%s to let in %s.', initcap(property_type), city)
            ELSE concat_ws(' ',
                   format('%s sq ft of %s space in %s.', size_sqft, property_type, city),
                   nullif(head, ''),
                   CASE WHEN bench.draw(n, 109) < 0.05
                        THEN CASE floor(bench.draw(n, 209) * 3)
                               WHEN 0 THEN format('Call us on +%s %s %s %s.',
                                                  10 + floor(bench.draw(n, 230) * 89)::integer,
                                                  100 + floor(bench.draw(n, 231) * 899)::integer,
                                                  1000 + floor(bench.draw(n, 232) * 8999)::integer,
                                                  1000 + floor(bench.draw(n, 233) * 8999)::integer)
                               WHEN 1 THEN format('Questions? Ring (%s) %s-%s.',
                                                  200 + floor(bench.draw(n, 230) * 799)::integer,
                                                  200 + floor(bench.draw(n, 231) * 799)::integer,
                                                  1000 + floor(bench.draw(n, 232) * 8999)::integer)
                               ELSE format('Viewings: %s.%s.%s any weekday.',
                                           200 + floor(bench.draw(n, 230) * 799)::integer,
                                           200 + floor(bench.draw(n, 231) * 799)::integer,
                                           1000 + floor(bench.draw(n, 232) * 8999)::integer)
                             END
                   END,
                   CASE WHEN bench.draw(n, 110) < 0.05
                        THEN format('Write to %s.%s@%s.example.com for the floor plan.',
                                    bench.pick('{leasing,info,office,team,rent}', bench.draw(n, 214)),
                                    n,
                                    bench.pick('{brokers,spaces,realty,offices}', bench.draw(n, 215)))
                   END,
                   CASE WHEN bench.draw(n, 111) < 0.05
                        THEN format(bench.pick('{"%s!","Do not miss out: %s.","%s, ask the broker."}', bench.draw(n, 216)),
                                    CASE floor(bench.draw(n, 217) * 3)
                                      WHEN 0 THEN upper(bench.pick('{act now,best price,cash only,click here,crypto payment,deposit today,free money,guaranteed approval,hurry up,limited time offer,money order,no credit check,off the books,once in a lifetime,pay upfront,risk free,send deposit,under the table,western union,wire transfer}', bench.draw(n, 218)))
                                      WHEN 1 THEN initcap(bench.pick('{act now,best price,cash only,click here,crypto payment,deposit today,free money,guaranteed approval,hurry up,limited time offer,money order,no credit check,off the books,once in a lifetime,pay upfront,risk free,send deposit,under the table,western union,wire transfer}', bench.draw(n, 218)))
                                      ELSE bench.pick('{act now,best price,cash only,click here,crypto payment,deposit today,free money,guaranteed approval,hurry up,limited time offer,money order,no credit check,off the books,once in a lifetime,pay upfront,risk free,send deposit,under the table,western union,wire transfer}', bench.draw(n, 218))
                                    END)
                   END,
                   nullif(tail, ''))
       END,
       city,
       -- Rule 13: the currency matches the country.
       country,
       property_type,
       size_sqft,
       price_per_sqft_month,
       -- Rule 16: the monthly price is within 5% of size times price per
       -- square foot. Broken prices are per year, or 20% off.
       round(size_sqft * price_per_sqft_month
             * CASE WHEN bench.draw(n, 116) < 0.05
                    THEN CASE WHEN bench.draw(n, 226) < 0.5 THEN 12 ELSE 0.8 END
                    ELSE 1 END, 2),
       CASE WHEN bench.draw(n, 113) < 0.05
            THEN bench.pick(array_remove('{USD,EUR,GBP,CHF,JPY}'::text[], currency),
                            bench.draw(n, 227))
            ELSE currency END,
       desks,
       -- Rule 3: at least three photos.
       CASE WHEN bench.draw(n, 103) < 0.05 THEN floor(bench.draw(n, 203) * 3)::integer
            ELSE 3 + floor(bench.draw(n, 7) * 38)::integer END,
       -- Amenities: each with its own probability. Rule 12: a coworking
       -- space lists wifi (half of its defects drop wifi, the other half
       -- have no desks).
       ARRAY(SELECT amenity
               FROM unnest('{wifi,kitchen,meeting_rooms,parking,bike_storage,showers,reception,air_conditioning,terrace,phone_booths}'::text[])
                    WITH ORDINALITY AS a(amenity, position)
              WHERE CASE WHEN amenity = 'wifi' AND property_type = 'coworking'
                         THEN NOT (coworking_defect AND NOT coworking_defect_no_desks)
                         ELSE bench.draw(n * 16 + position, 8) < 0.45 END
              ORDER BY position),
       -- Rule 5: a rating in EU and UK countries. Rule 6: ratings A to G.
       CASE WHEN in_eu_uk AND bench.draw(n, 105) < 0.05 THEN NULL
            WHEN NOT in_eu_uk AND bench.draw(n, 9) < 0.4 THEN NULL
            WHEN bench.draw(n, 106) < 0.05 THEN bench.pick('{H,A+,X,a,B-,N/A}', bench.draw(n, 206))
            ELSE bench.pick('{A,B,B,C,C,C,D,D,D,E,E,F,G}', bench.draw(n, 10))
       END,
       -- Rule 7: available no earlier than 30 days before 2025-06-01.
       CASE WHEN bench.draw(n, 107) < 0.05
            THEN date '2025-06-01' - 31 - floor(bench.draw(n, 207) * 400)::integer
            ELSE date '2025-06-01' - 30 + floor(bench.draw(n, 11) * 240)::integer END,
       -- Rule 8: minimum lease at most 120 months.
       CASE WHEN bench.draw(n, 108) < 0.05 THEN 121 + floor(bench.draw(n, 208) * 120)::integer
            WHEN property_type = 'coworking' THEN 1
            ELSE bench.pick('{3,6,12,12,12,24,36,36,60,120}', bench.draw(n, 12))::integer END,
       -- Rule 17: floor from -5 to 200.
       CASE WHEN bench.draw(n, 117) < 0.05
            THEN CASE WHEN bench.draw(n, 219) < 0.5 THEN -6 - floor(bench.draw(n, 222) * 20)::integer
                      ELSE 201 + floor(bench.draw(n, 222) * 500)::integer END
            ELSE -2 + floor(bench.draw(n, 13) * 50)::integer END,
       -- Rule 14: valid coordinates, not (0, 0).
       CASE WHEN bench.draw(n, 114) < 0.05
            THEN CASE WHEN bench.draw(n, 223) < 0.5 THEN 0 ELSE 90.5 + bench.draw(n, 224) * 50 END
            ELSE round((city_lat + (bench.draw(n, 14) - 0.5) * 0.2) * 100000) / 100000 END,
       CASE WHEN bench.draw(n, 114) < 0.05
            THEN CASE WHEN bench.draw(n, 223) < 0.5 THEN 0 ELSE city_lon END
            ELSE round((city_lon + (bench.draw(n, 15) - 0.5) * 0.2) * 100000) / 100000 END,
       -- Rule 19: a verified broker above 50,000 a month.
       bench.draw(n, 119) >= 0.05
  FROM priced;

COMMIT;

VACUUM (ANALYZE) bench.listing;

SELECT count(*) AS listings,
       round(avg(length(description))) AS avg_description_length,
       min(length(description)) AS min_description_length,
       max(length(description)) AS max_description_length,
       pg_size_pretty(pg_total_relation_size('bench.listing')) AS table_size
  FROM bench.listing;
