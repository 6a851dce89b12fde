-- Policy gsa_lease_quality: data quality rules for the federal lease
-- inventory in demo.gsa_lease.
--
-- Parameters come before rules because olpe validates each rule on insert
-- against the target table and the parameters that exist at that moment.
-- Running this file again replaces the policy.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;

DELETE FROM olpe.policy WHERE name = 'gsa_lease_quality';

INSERT INTO olpe.policy (name, target, description)
VALUES ('gsa_lease_quality', 'demo.gsa_lease',
        'completeness and plausibility of federal office leases');

INSERT INTO olpe.policy_param (policy, name, value) VALUES
  -- 40 U.S.C. 585(a)(2) limits a GSA lease to 20 years: 7,305 days with
  -- the five leap days of any 20-year span. Leases in buildings on government
  -- land may run 30 years (585(c)), so a longer term is reviewed, not denied.
  ('gsa_lease_quality', 'max_term_days', '7305'),
  -- The 48 contiguous states and the District of Columbia.
  ('gsa_lease_quality', 'contiguous_states',
   '["AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "IA", "ID", "IL",
     "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC",
     "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC",
     "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"]');

INSERT INTO olpe.rule (policy, name, effect, applies_when, condition, message) VALUES
  ('gsa_lease_quality', 'rentable_area_positive', 'deny',
   $$asset_type = 'BUILDING'$$,
   $$rentable_sqft > 0$$,
   'building lease {lease_number} has a rentable area of {rentable_sqft} sq ft; it must be positive'),

  ('gsa_lease_quality', 'term_dates_ordered', 'deny',
   NULL,
   $$expiration_date > effective_date$$,
   'lease {lease_number} expires on {expiration_date}, not after it takes effect on {effective_date}'),

  ('gsa_lease_quality', 'term_at_most_20_years', 'review',
   NULL,
   $$expiration_date - effective_date <= $max_term_days$$,
   'lease {lease_number} runs from {effective_date} to {expiration_date}, longer than 20 years'),

  -- A lease past its expiration date whose tenant stays on is a holdover.
  ('gsa_lease_quality', 'not_holdover', 'warn',
   NULL,
   $$expiration_date >= current_date$$,
   'lease {lease_number} expired on {expiration_date}: holdover tenancy'),

  ('gsa_lease_quality', 'coordinates_present', 'review',
   NULL,
   $$latitude IS NOT NULL AND longitude IS NOT NULL$$,
   'location {location_code} has no coordinates'),

  -- Rough bounding boxes: the contiguous states, Alaska (including the
  -- Aleutians west of the 180th meridian), Hawaii, the Caribbean territories
  -- and the Pacific territories. A state code outside this list fails.
  ('gsa_lease_quality', 'coordinates_in_state', 'review',
   $$latitude IS NOT NULL AND longitude IS NOT NULL$$,
   $$CASE
       WHEN state IN $contiguous_states
         THEN latitude BETWEEN 24.3 AND 49.5 AND longitude BETWEEN -125 AND -66.8
       WHEN state = 'AK'
         THEN latitude BETWEEN 51 AND 72
              AND (longitude BETWEEN -180 AND -129.9 OR longitude BETWEEN 172 AND 180)
       WHEN state = 'HI'
         THEN latitude BETWEEN 18.5 AND 22.5 AND longitude BETWEEN -160.5 AND -154.5
       WHEN state IN ('PR', 'VI')
         THEN latitude BETWEEN 17.5 AND 18.6 AND longitude BETWEEN -68 AND -64.5
       WHEN state IN ('GU', 'MP')
         THEN latitude BETWEEN 13 AND 21 AND longitude BETWEEN 144.5 AND 146.2
       WHEN state = 'AS'
         THEN latitude BETWEEN -14.7 AND -11 AND longitude BETWEEN -171.2 AND -168
       ELSE false
     END$$,
   'location {location_code} at ({latitude}, {longitude}) lies outside {state}'),

  ('gsa_lease_quality', 'zip_code_valid', 'review',
   NULL,
   $$zip ~ '^\d{5}(-\d{4})?$'$$,
   'location {location_code} has an invalid ZIP code {zip}');

COMMIT;
