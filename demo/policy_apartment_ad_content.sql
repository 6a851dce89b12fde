-- Policy apartment_ad_content: content rules for the classified apartment ads
-- in demo.apartment_ad: readable titles, no contact details or spam words in
-- the body, plausible monthly rents and sizes, and a photo.
--
-- Parameters come before rules because olpe validates each rule on insert
-- against the target table and the parameters that exist at that moment.
-- Running this file again replaces the policy.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;

DELETE FROM olpe.policy WHERE name = 'apartment_ad_content';

INSERT INTO olpe.policy (name, target, description)
VALUES ('apartment_ad_content', 'demo.apartment_ad',
        'content and price plausibility of apartment ads');

INSERT INTO olpe.policy_param (policy, name, value) VALUES
  -- Pressure and credit-bait phrases, matched as whole words or phrases in
  -- any case.
  ('apartment_ad_content', 'banned_words',
   '["act now", "asap", "bad credit", "bargain", "gift card", "guaranteed", "hurry",
     "limited time", "no credit check", "no deposit", "urgent", "won''t last"]'),
  ('apartment_ad_content', 'price_types', '["Monthly"]'),
  -- Monthly rent in USD.
  ('apartment_ad_content', 'min_price', '300'),
  ('apartment_ad_content', 'max_price', '15000'),
  ('apartment_ad_content', 'min_square_feet', '150'),
  ('apartment_ad_content', 'max_square_feet', '10000'),
  -- Monthly rent per square foot, in USD.
  ('apartment_ad_content', 'min_price_per_sqft', '0.3'),
  ('apartment_ad_content', 'max_price_per_sqft', '8');

INSERT INTO olpe.rule (policy, name, effect, applies_when, condition, message) VALUES
  ('apartment_ad_content', 'title_length', 'deny',
   NULL,
   $$length(title) BETWEEN 10 AND 120$$,
   'title "{title}" must be 10 to 120 characters long'),

  ('apartment_ad_content', 'body_present', 'deny',
   NULL,
   $$length(trim(body)) >= 30$$,
   'body "{body}" is shorter than 30 characters'),

  -- The source masks the last digits of phone numbers with X, as in
  -- (443) 251-XXXX, so the last group is four digits or one to four X.
  ('apartment_ad_content', 'no_phone_number', 'review',
   NULL,
   $$body !~* '\(?\d{3}\)?[ .-]?\d{3}[ .-](\d{4}|x{1,4})'$$,
   'ad {id} shows a phone number in its body'),

  ('apartment_ad_content', 'no_email_address', 'review',
   NULL,
   $$body !~* '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}'$$,
   'ad {id} shows an e-mail address in its body'),

  ('apartment_ad_content', 'no_banned_words', 'review',
   NULL,
   $$NOT (body contains_any_word $banned_words)$$,
   'ad {id} uses a banned word or phrase in its body'),

  ('apartment_ad_content', 'price_present', 'deny',
   NULL,
   $$price IS NOT NULL$$,
   'ad {id} has no price'),

  ('apartment_ad_content', 'price_in_band', 'deny',
   $$price IS NOT NULL$$,
   $$price BETWEEN $min_price AND $max_price$$,
   'monthly rent {price} {currency} is outside the plausible band'),

  ('apartment_ad_content', 'price_type_known', 'review',
   NULL,
   $$price_type IN $price_types$$,
   'price type {price_type} is not Monthly, but the price bands assume a monthly rent'),

  ('apartment_ad_content', 'square_feet_in_band', 'review',
   $$square_feet IS NOT NULL$$,
   $$square_feet BETWEEN $min_square_feet AND $max_square_feet$$,
   'size {square_feet} sq ft is outside the plausible band'),

  ('apartment_ad_content', 'price_per_sqft_in_band', 'review',
   $$square_feet > 0 AND price IS NOT NULL$$,
   $$price / square_feet BETWEEN $min_price_per_sqft AND $max_price_per_sqft$$,
   'rent {price} {currency} for {square_feet} sq ft is outside the plausible band per square foot'),

  ('apartment_ad_content', 'location_present', 'review',
   NULL,
   $$cityname IS NOT NULL AND state IS NOT NULL$$,
   'ad {id} names no city or state'),

  ('apartment_ad_content', 'has_photo', 'warn',
   NULL,
   $$has_photo <> 'No'$$,
   'ad {id} has no photo');

COMMIT;
