-- The olpe.enforce() trigger with policy apartment_ad_content on demo.apartment_ad_live.
\set policy apartment_ad_content
\set target demo.apartment_ad
\set label 'concat_ws('', '', l.title, l.cityname || '' '' || l.state, l.price || '' '' || l.currency)'
\ir enforce.sql
