-- Report of the apartment_ad_content policy over demo.apartment_ad.
\set policy apartment_ad_content
\set target demo.apartment_ad
\set label 'concat_ws('', '', l.title, l.cityname || '' '' || l.state, l.price || '' '' || l.currency)'
\ir report.sql
