-- Policy office_listing_quality: rules for the generated office listings in
-- demo.office_listing.
--
-- Parameters come before rules because olpe validates each rule on insert
-- against the target table and the parameters that exist at that moment.
-- Running this file again replaces the policy.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;

DELETE FROM olpe.policy WHERE name = 'office_listing_quality';

INSERT INTO olpe.policy (name, target, description)
VALUES ('office_listing_quality', 'demo.office_listing',
        'content, price and disclosure rules for office listings');

INSERT INTO olpe.policy_param (policy, name, value) VALUES
  ('office_listing_quality', 'banned_words',
   '["act now", "best price", "guaranteed", "hurry", "limited time", "urgent"]'),
  -- Countries where this example policy requires an energy rating in the
  -- listing.
  ('office_listing_quality', 'energy_label_countries',
   '["DE", "ES", "FR", "IE", "IT", "NL", "PL", "UK"]'),
  -- Currencies whose rents the per-square-foot band below fits.
  ('office_listing_quality', 'band_currencies', '["CAD", "CHF", "EUR", "GBP", "USD"]'),
  -- Monthly rent per square foot, in those currencies.
  ('office_listing_quality', 'min_rent_sqft_month', '0.5'),
  ('office_listing_quality', 'max_rent_sqft_month', '20'),
  ('office_listing_quality', 'min_photos', '3');

INSERT INTO olpe.rule (policy, name, effect, applies_when, condition, message) VALUES
  ('office_listing_quality', 'title_length', 'deny',
   NULL,
   $$length(title) BETWEEN 10 AND 120$$,
   'title "{title}" must be 10 to 120 characters long'),

  ('office_listing_quality', 'size_plausible', 'deny',
   NULL,
   $$size_sqft BETWEEN 100 AND 500000$$,
   'size {size_sqft} sq ft is implausible for an office'),

  ('office_listing_quality', 'rent_per_sqft_in_band', 'review',
   $$currency IN $band_currencies AND size_sqft > 0$$,
   $$price_month / size_sqft BETWEEN $min_rent_sqft_month AND $max_rent_sqft_month$$,
   'rent {price_month} {currency} a month for {size_sqft} sq ft is outside the plausible band'),

  ('office_listing_quality', 'energy_rating_disclosed', 'deny',
   $$country IN $energy_label_countries$$,
   $$energy_rating IS NOT NULL$$,
   'listing {id} in {country} must show its energy rating'),

  ('office_listing_quality', 'no_phone_number', 'review',
   NULL,
   $$description !~ '\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}'$$,
   'listing {id} shows a phone number in its description'),

  ('office_listing_quality', 'no_email_address', 'review',
   NULL,
   $$description !~* '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}'$$,
   'listing {id} shows an e-mail address in its description'),

  ('office_listing_quality', 'no_banned_words', 'review',
   NULL,
   $$NOT (description contains_any_word $banned_words)$$,
   'listing {id} uses a banned word or phrase in its description'),

  ('office_listing_quality', 'coworking_has_wifi', 'review',
   $$property_type = 'coworking'$$,
   $$amenities @> ARRAY['wifi'] AND desks > 0$$,
   'coworking space {id} lists no wifi or no desks'),

  ('office_listing_quality', 'enough_photos', 'warn',
   NULL,
   $$photo_count >= $min_photos$$,
   'listing {id} has too few photos ({photo_count})'),

  ('office_listing_quality', 'broker_verified', 'warn',
   $$broker_id IS NOT NULL$$,
   $$broker_verified$$,
   'broker {broker_id} is not verified');

COMMIT;
