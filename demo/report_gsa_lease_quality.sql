-- Report of the gsa_lease_quality policy over demo.gsa_lease.
\set policy gsa_lease_quality
\set target demo.gsa_lease
\set label 'concat_ws('', '', l.lease_number, l.asset_name, l.city || '' '' || l.state)'
\ir report.sql
