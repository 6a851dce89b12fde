-- Report of the office_listing_quality policy over demo.office_listing.
\set policy office_listing_quality
\set target demo.office_listing
\set label 'concat_ws('', '', l.title, l.price_month || '' '' || l.currency || '' a month'')'
\ir report.sql
