-- The olpe.enforce() trigger with policy gsa_lease_quality on demo.gsa_lease_live.
\set policy gsa_lease_quality
\set target demo.gsa_lease
\set label 'concat_ws('', '', l.lease_number, l.asset_name, l.city || '' '' || l.state)'
\ir enforce.sql
