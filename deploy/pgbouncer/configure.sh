#!/usr/bin/env bash
# Write the pgbouncer configuration that routes olpe's databases: a main file
# that includes the shipped settings (deploy/pgbouncer/pgbouncer.ini), then
# the local overrides, then a [databases] file generated from the current
# primary and replicas.
#
#   deploy/pgbouncer/configure.sh --config FILE --databases FILE \
#       --rw HOST:PORT [--ro HOST:PORT ...] [--dbname NAME] [--base FILE] \
#       [--set key=value ...]
#
# The [databases] file defines, for the PostgreSQL database NAME (default:
# olpe):
#   olpe_rw      the primary (HOST:PORT of --rw)
#   olpe_ro      the first --ro server, or the primary when there is none
#   olpe_ro_N    the Nth --ro server (N from 1), one pool per replica
#
# PgBouncer 1.18 takes one port per database, and its comma-separated host
# lists pick hosts round-robin but never skip one that is down, so olpe_ro
# names one server and olpe_ro_N gives a client each of the others.
# docs/deployment.md explains the choice.
#
# HOST is a name, an IP address, or a directory (a Unix socket). Each --set
# comes after the shipped settings, in the same [pgbouncer] section, so it
# overrides them. The shipped file must end in its [pgbouncer] section.
#
# Running the script again with other servers rewrites both files.
# pgbouncer applies them on RELOAD (or SIGHUP), and closes each server
# connection to an old destination when its transaction ends.
#
# The local topology (scripts/topology.sh) and the pgbouncer container
# (deploy/pgbouncer/entrypoint.sh) both write their configuration with this
# script.
set -euo pipefail

PROG=configure.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
    cat >&2 <<EOF
usage: $PROG --config FILE --databases FILE --rw HOST:PORT [--ro HOST:PORT ...]
          [--dbname NAME] [--base FILE] [--set key=value ...]
EOF
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

config='' databases='' rw='' dbname=olpe base=$HERE/pgbouncer.ini
ro=()
settings=()
while [ $# -gt 0 ]; do
    case $1 in
        --config) config=${2-}; shift 2 || usage ;;
        --databases) databases=${2-}; shift 2 || usage ;;
        --rw) rw=${2-}; shift 2 || usage ;;
        --ro) ro+=("${2-}"); shift 2 || usage ;;
        --dbname) dbname=${2-}; shift 2 || usage ;;
        --base) base=${2-}; shift 2 || usage ;;
        --set) settings+=("${2-}"); shift 2 || usage ;;
        *) echo "$PROG: unknown option '$1'" >&2; usage ;;
    esac
done
if [ -z "$config" ] || [ -z "$databases" ] || [ -z "$rw" ]; then
    usage
fi
[ -f "$base" ] || die "shipped settings file $base not found"
[[ "$dbname" =~ ^[A-Za-z0-9_]+$ ]] || die "invalid database name '$dbname'"

# pgbouncer reads a relative %include path from its working directory, which
# differs between starting it and reloading it, so every path is absolute.
absolute_path() {
    local path=$1
    case $path in
        /*) echo "$path" ;;
        *) echo "$PWD/$path" ;;
    esac
}
config=$(absolute_path "$config")
databases=$(absolute_path "$databases")
base=$(cd "$(dirname "$base")" && pwd -P)/$(basename "$base")

# Print the connection string of one [databases] entry for HOST:PORT.
database_entry() {
    local server=$1 host port
    [[ "$server" == *:* ]] || die "invalid server '$server': expected HOST:PORT"
    host=${server%:*}
    port=${server##*:}
    [ -n "$host" ] || die "invalid server '$server': empty host"
    [[ "$port" =~ ^[0-9]+$ ]] || die "invalid server '$server': port must be a number"
    [[ "$host" =~ ^[A-Za-z0-9_./-]+$ ]] \
        || die "invalid host '$host': use a name, an address or a socket directory"
    printf 'host=%s port=%s dbname=%s' "$host" "$port" "$dbname"
}

write_file() {
    local target=$1 content=$2 tmp
    tmp=$(mktemp "$target.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod 644 "$tmp"
    # rename() replaces the file in one step, so a RELOAD that runs meanwhile
    # reads either the old file or the new one.
    mv -f "$tmp" "$target"
}

rw_entry=$(database_entry "$rw")
ro_default=$rw_entry
[ ${#ro[@]} -eq 0 ] || ro_default=$(database_entry "${ro[0]}")

databases_text="; Written by deploy/pgbouncer/configure.sh; edits here are lost.
[databases]
${dbname}_rw = $rw_entry
${dbname}_ro = $ro_default"
index=1
for server in ${ro[@]+"${ro[@]}"}; do
    databases_text+="
${dbname}_ro_$index = $(database_entry "$server")"
    index=$(( index + 1 ))
done

# PgBouncer 1.18 resets the [pgbouncer] settings read so far when it meets a
# second [pgbouncer] header (checked with SHOW CONFIG), so the overrides carry
# no header: they continue the [pgbouncer] section of the included file.
config_text="; Written by deploy/pgbouncer/configure.sh; edits here are lost.
; Shipped [pgbouncer] settings, then local overrides of them (same section,
; no header of their own), then the [databases] section.
%include $base"
for setting in ${settings[@]+"${settings[@]}"}; do
    [[ "$setting" =~ ^[a-z_]+=.*$ ]] || die "invalid --set '$setting': expected key=value"
    config_text+="
${setting%%=*} = ${setting#*=}"
done
config_text+="
%include $databases"

write_file "$databases" "$databases_text"
write_file "$config" "$config_text"
echo "$PROG: ${dbname}_rw -> $rw; ${dbname}_ro -> ${ro[0]:-$rw (no replica)}; ${#ro[@]} per-replica entries"
