-- Compliance report by city of policy office_listing_quality over demo.office_listing.
\set policy office_listing_quality
\set target demo.office_listing
\set city 'l.city'
\ir compliance_by_city.sql
