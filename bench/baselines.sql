-- The 20 rules of bench/policy.sql without olpe, as the baselines of the
-- benchmark, and one view per way of counting the failures per rule.
--
-- Usage: psql -v ON_ERROR_STOP=1 -f bench/baselines.sql   (after bench/policy.sql)
--
-- Every view returns (rule text, failures bigint), one row per rule that
-- failed at least once, and bench/run.sh checks that all views return the
-- same rows before it times them.
--
-- A rule fails as it fails in olpe under on_unknown = 'fail': its scope
-- (applies_when) is true and its condition is false or NULL. So a hand-written
-- rule reads "(scope) IS TRUE AND (condition) IS NOT TRUE".
--
-- The banned phrases are matched as olpe's contains_any_word matches them:
-- whole words, ignoring case. '\m' and '\M' are the PostgreSQL regular
-- expression anchors for the start and end of a word. They agree with
-- contains_any_word on ASCII text when each phrase starts and ends with a
-- letter, as all 20 do and as all generated descriptions are ASCII.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- Per-rule failure counts from olpe.evaluate.
CREATE OR REPLACE VIEW bench.olpe_failures AS
SELECT rule, count(*) AS failures
  FROM bench.listing AS l
       CROSS JOIN LATERAL unnest((olpe.evaluate('bench_policy', l)).failed) AS f(rule)
 GROUP BY rule;

-- One row per listing, one boolean per rule: true when the rule failed.
CREATE OR REPLACE VIEW bench.hand_failed AS
SELECT l.id,
       (length(l.title) BETWEEN 10 AND 120) IS NOT TRUE AS title_length,
       (length(l.description) >= 50) IS NOT TRUE AS description_length,
       (l.photo_count >= 3) IS NOT TRUE AS photo_count,
       (l.size_sqft BETWEEN 100 AND 500000) IS NOT TRUE AS size_range,
       (l.country IN ('AT', 'BE', 'CZ', 'DE', 'DK', 'ES', 'FI', 'FR', 'GR', 'IE', 'IT', 'LU',
                      'NL', 'PL', 'PT', 'RO', 'SE', 'UK')) IS TRUE
         AND (l.energy_rating IS NOT NULL) IS NOT TRUE AS energy_rating_required,
       (l.energy_rating IS NOT NULL) IS TRUE
         AND (l.energy_rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')) IS NOT TRUE AS energy_rating_valid,
       (l.available_from >= date '2025-06-01' - 30) IS NOT TRUE AS available_from_recent,
       (l.lease_min_months <= 120) IS NOT TRUE AS lease_max,
       (l.description !~ '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}|\(\d{3}\) \d{3}-\d{4}|\d{3}[.-]\d{3}[.-]\d{4}')
         IS NOT TRUE AS no_phone_number,
       (l.description !~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}') IS NOT TRUE AS no_email_address,
       (NOT (l.description ~* '\mact now\M'
             OR l.description ~* '\mbest price\M'
             OR l.description ~* '\mcash only\M'
             OR l.description ~* '\mclick here\M'
             OR l.description ~* '\mcrypto payment\M'
             OR l.description ~* '\mdeposit today\M'
             OR l.description ~* '\mfree money\M'
             OR l.description ~* '\mguaranteed approval\M'
             OR l.description ~* '\mhurry up\M'
             OR l.description ~* '\mlimited time offer\M'
             OR l.description ~* '\mmoney order\M'
             OR l.description ~* '\mno credit check\M'
             OR l.description ~* '\moff the books\M'
             OR l.description ~* '\monce in a lifetime\M'
             OR l.description ~* '\mpay upfront\M'
             OR l.description ~* '\mrisk free\M'
             OR l.description ~* '\msend deposit\M'
             OR l.description ~* '\munder the table\M'
             OR l.description ~* '\mwestern union\M'
             OR l.description ~* '\mwire transfer\M')) IS NOT TRUE AS no_banned_phrases,
       (l.property_type = 'coworking') IS TRUE
         AND (l.amenities @> ARRAY['wifi'] AND l.desks > 0) IS NOT TRUE AS coworking_wifi_desks,
       (l.country || ':' || l.currency IN
          ('AE:AED', 'AT:EUR', 'AU:AUD', 'BE:EUR', 'BR:BRL', 'CA:CAD', 'CH:CHF', 'CZ:CZK',
           'DE:EUR', 'DK:DKK', 'ES:EUR', 'FI:EUR', 'FR:EUR', 'GR:EUR', 'HK:HKD', 'IE:EUR',
           'IN:INR', 'IT:EUR', 'LU:EUR', 'MX:MXN', 'NL:EUR', 'NO:NOK', 'NZ:NZD', 'PL:PLN',
           'PT:EUR', 'RO:RON', 'SE:SEK', 'SG:SGD', 'UK:GBP', 'US:USD', 'ZA:ZAR'))
         IS NOT TRUE AS currency_matches_country,
       (l.lat BETWEEN -90 AND 90 AND l.lon BETWEEN -180 AND 180 AND NOT (l.lat = 0 AND l.lon = 0))
         IS NOT TRUE AS coordinates_valid,
       (l.title <> upper(l.title)) IS NOT TRUE AS title_not_upper_case,
       (abs(l.price_month - l.size_sqft * l.price_per_sqft_month)
          <= 0.05 * l.size_sqft * l.price_per_sqft_month) IS NOT TRUE AS price_consistent,
       (l.floor BETWEEN -5 AND 200) IS NOT TRUE AS floor_range,
       (l.property_type IN ('office', 'coworking', 'retail', 'industrial', 'mixed'))
         IS NOT TRUE AS property_type_allowed,
       (l.price_month > 50000) IS TRUE AND (l.broker_verified) IS NOT TRUE AS large_lease_verified_broker,
       (l.price_per_sqft_month BETWEEN 0.01 AND 500) IS NOT TRUE AS price_per_sqft_range
  FROM bench.listing AS l;

-- Per-rule failure counts from the hand-written SQL.
CREATE OR REPLACE VIEW bench.hand_failures AS
SELECT v.rule, v.failures
  FROM (SELECT count(*) FILTER (WHERE title_length) AS title_length,
               count(*) FILTER (WHERE description_length) AS description_length,
               count(*) FILTER (WHERE photo_count) AS photo_count,
               count(*) FILTER (WHERE size_range) AS size_range,
               count(*) FILTER (WHERE energy_rating_required) AS energy_rating_required,
               count(*) FILTER (WHERE energy_rating_valid) AS energy_rating_valid,
               count(*) FILTER (WHERE available_from_recent) AS available_from_recent,
               count(*) FILTER (WHERE lease_max) AS lease_max,
               count(*) FILTER (WHERE no_phone_number) AS no_phone_number,
               count(*) FILTER (WHERE no_email_address) AS no_email_address,
               count(*) FILTER (WHERE no_banned_phrases) AS no_banned_phrases,
               count(*) FILTER (WHERE coworking_wifi_desks) AS coworking_wifi_desks,
               count(*) FILTER (WHERE currency_matches_country) AS currency_matches_country,
               count(*) FILTER (WHERE coordinates_valid) AS coordinates_valid,
               count(*) FILTER (WHERE title_not_upper_case) AS title_not_upper_case,
               count(*) FILTER (WHERE price_consistent) AS price_consistent,
               count(*) FILTER (WHERE floor_range) AS floor_range,
               count(*) FILTER (WHERE property_type_allowed) AS property_type_allowed,
               count(*) FILTER (WHERE large_lease_verified_broker) AS large_lease_verified_broker,
               count(*) FILTER (WHERE price_per_sqft_range) AS price_per_sqft_range
          FROM bench.hand_failed) AS c
       CROSS JOIN LATERAL (VALUES
         ('title_length', c.title_length),
         ('description_length', c.description_length),
         ('photo_count', c.photo_count),
         ('size_range', c.size_range),
         ('energy_rating_required', c.energy_rating_required),
         ('energy_rating_valid', c.energy_rating_valid),
         ('available_from_recent', c.available_from_recent),
         ('lease_max', c.lease_max),
         ('no_phone_number', c.no_phone_number),
         ('no_email_address', c.no_email_address),
         ('no_banned_phrases', c.no_banned_phrases),
         ('coworking_wifi_desks', c.coworking_wifi_desks),
         ('currency_matches_country', c.currency_matches_country),
         ('coordinates_valid', c.coordinates_valid),
         ('title_not_upper_case', c.title_not_upper_case),
         ('price_consistent', c.price_consistent),
         ('floor_range', c.floor_range),
         ('property_type_allowed', c.property_type_allowed),
         ('large_lease_verified_broker', c.large_lease_verified_broker),
         ('price_per_sqft_range', c.price_per_sqft_range)) AS v(rule, failures)
 WHERE v.failures > 0;

-- The names of the rules that a listing fails, written as a PL/pgSQL
-- developer would: one IF per rule, and a loop over the banned phrases that
-- stops at the first match. PostgreSQL keeps the compiled regular expressions
-- of the loop in its cache of recently used expressions (32 entries), so
-- they are compiled once per backend.
CREATE OR REPLACE FUNCTION bench.plpgsql_failed(l bench.listing) RETURNS text[]
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  failed text[] := '{}';
  phrase text;
  banned_found boolean := false;
BEGIN
  IF (length(l.title) BETWEEN 10 AND 120) IS NOT TRUE THEN
    failed := failed || 'title_length'::text;
  END IF;
  IF (length(l.description) >= 50) IS NOT TRUE THEN
    failed := failed || 'description_length'::text;
  END IF;
  IF (l.photo_count >= 3) IS NOT TRUE THEN
    failed := failed || 'photo_count'::text;
  END IF;
  IF (l.size_sqft BETWEEN 100 AND 500000) IS NOT TRUE THEN
    failed := failed || 'size_range'::text;
  END IF;
  IF l.country IN ('AT', 'BE', 'CZ', 'DE', 'DK', 'ES', 'FI', 'FR', 'GR', 'IE', 'IT', 'LU',
                   'NL', 'PL', 'PT', 'RO', 'SE', 'UK')
     AND l.energy_rating IS NULL THEN
    failed := failed || 'energy_rating_required'::text;
  END IF;
  IF l.energy_rating IS NOT NULL
     AND (l.energy_rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')) IS NOT TRUE THEN
    failed := failed || 'energy_rating_valid'::text;
  END IF;
  IF (l.available_from >= date '2025-06-01' - 30) IS NOT TRUE THEN
    failed := failed || 'available_from_recent'::text;
  END IF;
  IF (l.lease_min_months <= 120) IS NOT TRUE THEN
    failed := failed || 'lease_max'::text;
  END IF;
  IF (l.description !~ '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}|\(\d{3}\) \d{3}-\d{4}|\d{3}[.-]\d{3}[.-]\d{4}')
     IS NOT TRUE THEN
    failed := failed || 'no_phone_number'::text;
  END IF;
  IF (l.description !~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}') IS NOT TRUE THEN
    failed := failed || 'no_email_address'::text;
  END IF;
  FOREACH phrase IN ARRAY ARRAY['act now', 'best price', 'cash only', 'click here',
                                'crypto payment', 'deposit today', 'free money',
                                'guaranteed approval', 'hurry up', 'limited time offer',
                                'money order', 'no credit check', 'off the books',
                                'once in a lifetime', 'pay upfront', 'risk free',
                                'send deposit', 'under the table', 'western union',
                                'wire transfer'] LOOP
    IF l.description ~* ('\m' || phrase || '\M') THEN
      banned_found := true;
      EXIT;
    END IF;
  END LOOP;
  IF banned_found THEN
    failed := failed || 'no_banned_phrases'::text;
  END IF;
  IF l.property_type = 'coworking'
     AND (l.amenities @> ARRAY['wifi'] AND l.desks > 0) IS NOT TRUE THEN
    failed := failed || 'coworking_wifi_desks'::text;
  END IF;
  IF (l.country || ':' || l.currency IN
        ('AE:AED', 'AT:EUR', 'AU:AUD', 'BE:EUR', 'BR:BRL', 'CA:CAD', 'CH:CHF', 'CZ:CZK',
         'DE:EUR', 'DK:DKK', 'ES:EUR', 'FI:EUR', 'FR:EUR', 'GR:EUR', 'HK:HKD', 'IE:EUR',
         'IN:INR', 'IT:EUR', 'LU:EUR', 'MX:MXN', 'NL:EUR', 'NO:NOK', 'NZ:NZD', 'PL:PLN',
         'PT:EUR', 'RO:RON', 'SE:SEK', 'SG:SGD', 'UK:GBP', 'US:USD', 'ZA:ZAR')) IS NOT TRUE THEN
    failed := failed || 'currency_matches_country'::text;
  END IF;
  IF (l.lat BETWEEN -90 AND 90 AND l.lon BETWEEN -180 AND 180 AND NOT (l.lat = 0 AND l.lon = 0))
     IS NOT TRUE THEN
    failed := failed || 'coordinates_valid'::text;
  END IF;
  IF (l.title <> upper(l.title)) IS NOT TRUE THEN
    failed := failed || 'title_not_upper_case'::text;
  END IF;
  IF (abs(l.price_month - l.size_sqft * l.price_per_sqft_month)
        <= 0.05 * l.size_sqft * l.price_per_sqft_month) IS NOT TRUE THEN
    failed := failed || 'price_consistent'::text;
  END IF;
  IF (l.floor BETWEEN -5 AND 200) IS NOT TRUE THEN
    failed := failed || 'floor_range'::text;
  END IF;
  IF (l.property_type IN ('office', 'coworking', 'retail', 'industrial', 'mixed')) IS NOT TRUE THEN
    failed := failed || 'property_type_allowed'::text;
  END IF;
  IF l.price_month > 50000 AND (l.broker_verified) IS NOT TRUE THEN
    failed := failed || 'large_lease_verified_broker'::text;
  END IF;
  IF (l.price_per_sqft_month BETWEEN 0.01 AND 500) IS NOT TRUE THEN
    failed := failed || 'price_per_sqft_range'::text;
  END IF;
  RETURN failed;
END;
$$;

-- Per-rule failure counts from the PL/pgSQL function.
CREATE OR REPLACE VIEW bench.plpgsql_failures AS
SELECT rule, count(*) AS failures
  FROM bench.listing AS l
       CROSS JOIN LATERAL unnest(bench.plpgsql_failed(l)) AS f(rule)
 GROUP BY rule;

-- Listings that olpe.allowed accepts, and the same count from the hand
-- written SQL: listings that fail no deny rule.
CREATE OR REPLACE VIEW bench.olpe_allowed_count AS
SELECT count(*) FILTER (WHERE olpe.allowed('bench_policy', l)) AS allowed
  FROM bench.listing AS l;

CREATE OR REPLACE VIEW bench.hand_allowed_count AS
SELECT count(*) FILTER (WHERE NOT (title_length OR description_length OR size_range
                                   OR energy_rating_required OR energy_rating_valid
                                   OR available_from_recent OR lease_max OR no_phone_number
                                   OR no_email_address OR coworking_wifi_desks
                                   OR currency_matches_country OR coordinates_valid
                                   OR floor_range OR property_type_allowed
                                   OR price_per_sqft_range)) AS allowed
  FROM bench.hand_failed;
