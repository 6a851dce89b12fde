-- The olpe.enforce() trigger with policy office_listing_quality on demo.office_listing_live.
\set policy office_listing_quality
\set target demo.office_listing
\set label 'concat_ws('', '', l.title, l.price_month || '' '' || l.currency || '' a month'')'
\ir enforce.sql
