-- The reference policy of the benchmark: 20 rules over bench.listing, in
-- olpe's rule language.
--
-- Usage: psql -v ON_ERROR_STOP=1 -f bench/policy.sql   (after bench/generate.sql)
--
-- bench/baselines.sql states the same 20 rules as hand-written SQL and as a
-- PL/pgSQL function, and bench/run.sh checks that all of them report the
-- same failures per rule. A change here needs the same change there.
--
-- Parameters come before the rules, because olpe validates each rule on
-- insert against the target table and the parameters that exist then.
-- Running this file again replaces the policy.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;

DELETE FROM olpe.policy WHERE name = 'bench_policy';

INSERT INTO olpe.policy (name, target, description)
VALUES ('bench_policy', 'bench.listing', 'reference policy of the olpe benchmark (bench/policy.sql)');

INSERT INTO olpe.policy_param (policy, name, value) VALUES
  ('bench_policy', 'eu_uk',
   '["AT", "BE", "CZ", "DE", "DK", "ES", "FI", "FR", "GR", "IE", "IT", "LU", "NL",
     "PL", "PT", "RO", "SE", "UK"]'),
  ('bench_policy', 'banned',
   '["act now", "best price", "cash only", "click here", "crypto payment",
     "deposit today", "free money", "guaranteed approval", "hurry up",
     "limited time offer", "money order", "no credit check", "off the books",
     "once in a lifetime", "pay upfront", "risk free", "send deposit",
     "under the table", "western union", "wire transfer"]'),
  -- Each country with the currency that its listings must be priced in,
  -- as COUNTRY:CURRENCY.
  ('bench_policy', 'country_currency',
   '["AE:AED", "AT:EUR", "AU:AUD", "BE:EUR", "BR:BRL", "CA:CAD", "CH:CHF", "CZ:CZK",
     "DE:EUR", "DK:DKK", "ES:EUR", "FI:EUR", "FR:EUR", "GR:EUR", "HK:HKD", "IE:EUR",
     "IN:INR", "IT:EUR", "LU:EUR", "MX:MXN", "NL:EUR", "NO:NOK", "NZ:NZD", "PL:PLN",
     "PT:EUR", "RO:RON", "SE:SEK", "SG:SGD", "UK:GBP", "US:USD", "ZA:ZAR"]'),
  ('bench_policy', 'property_types', '["office", "coworking", "retail", "industrial", "mixed"]');

-- The rules, in the order of their defect salts 101..120 in
-- bench/generate.sql.
INSERT INTO olpe.rule (policy, name, effect, applies_when, condition, message) VALUES
  ('bench_policy', 'title_length', 'deny', NULL,
   $$length(title) BETWEEN 10 AND 120$$,
   'title must be 10 to 120 characters long, not {length(title)}'),

  ('bench_policy', 'description_length', 'deny', NULL,
   $$length(description) >= 50$$,
   'description must be at least 50 characters long, not {length(description)}'),

  ('bench_policy', 'photo_count', 'warn', NULL,
   $$photo_count >= 3$$,
   'listing has {photo_count} photos, fewer than 3'),

  ('bench_policy', 'size_range', 'deny', NULL,
   $$size_sqft BETWEEN 100 AND 500000$$,
   'size {size_sqft} sq ft is outside 100 to 500,000'),

  ('bench_policy', 'energy_rating_required', 'deny',
   $$country IN $eu_uk$$,
   $$energy_rating IS NOT NULL$$,
   'listings in {country} must show an energy rating'),

  ('bench_policy', 'energy_rating_valid', 'deny',
   $$energy_rating IS NOT NULL$$,
   $$energy_rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')$$,
   'energy rating {energy_rating} is not one of A to G'),

  ('bench_policy', 'available_from_recent', 'deny', NULL,
   $$available_from >= date '2025-06-01' - 30$$,
   'available from {available_from}, more than 30 days before 2025-06-01'),

  ('bench_policy', 'lease_max', 'deny', NULL,
   $$lease_min_months <= 120$$,
   'minimum lease of {lease_min_months} months is longer than 120'),

  ('bench_policy', 'no_phone_number', 'deny', NULL,
   $$description !~ '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}|\(\d{3}\) \d{3}-\d{4}|\d{3}[.-]\d{3}[.-]\d{4}'$$,
   'description shows a phone number'),

  ('bench_policy', 'no_email_address', 'deny', NULL,
   $$description !~ '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'$$,
   'description shows an e-mail address'),

  ('bench_policy', 'no_banned_phrases', 'review', NULL,
   $$NOT (description contains_any_word $banned)$$,
   'description uses a banned phrase'),

  ('bench_policy', 'coworking_wifi_desks', 'deny',
   $$property_type = 'coworking'$$,
   $$amenities @> ARRAY['wifi'] AND desks > 0$$,
   'coworking space must list wifi and at least one desk ({desks} desks)'),

  ('bench_policy', 'currency_matches_country', 'deny', NULL,
   $$country || ':' || currency IN $country_currency$$,
   'currency {currency} is not the currency of {country}'),

  ('bench_policy', 'coordinates_valid', 'deny', NULL,
   $$lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 AND NOT (lat = 0 AND lon = 0)$$,
   'coordinates ({lat}, {lon}) are invalid'),

  ('bench_policy', 'title_not_upper_case', 'warn', NULL,
   $$title <> upper(title)$$,
   'title is all upper case'),

  ('bench_policy', 'price_consistent', 'review', NULL,
   $$abs(price_month - size_sqft * price_per_sqft_month) <= 0.05 * size_sqft * price_per_sqft_month$$,
   'price {price_month} a month is not size {size_sqft} times {price_per_sqft_month} per sq ft'),

  ('bench_policy', 'floor_range', 'deny', NULL,
   $$floor BETWEEN -5 AND 200$$,
   'floor {floor} is outside -5 to 200'),

  ('bench_policy', 'property_type_allowed', 'deny', NULL,
   $$property_type IN $property_types$$,
   'property type {property_type} is not allowed'),

  ('bench_policy', 'large_lease_verified_broker', 'review',
   $$price_month > 50000$$,
   $$broker_verified$$,
   'listings above 50,000 a month need a verified broker'),

  ('bench_policy', 'price_per_sqft_range', 'deny', NULL,
   $$price_per_sqft_month BETWEEN 0.01 AND 500$$,
   'price per sq ft {price_per_sqft_month} is outside 0.01 to 500');

COMMIT;
