-- Compliance report by city (city and state) of policy apartment_ad_content over demo.apartment_ad.
-- The 77 ads without a city also lack a state; they are grouped as "(no city)".
\set policy apartment_ad_content
\set target demo.apartment_ad
\set city 'coalesce(l.cityname || '', '' || l.state, ''(no city)'')'
\ir compliance_by_city.sql
