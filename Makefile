# olpe: Office Listing Policy Engine, built with PGXS.
#
# Targets beyond the PGXS ones:
#   make test   build, install, start a throwaway cluster and run every suite
#   make demo   install what is missing, start a demo cluster, load listings, report
#   make demo-stop   stop the demo cluster
#   make bench  benchmarks (see bench/)
#   make bench-instructions   instructions that the trigger adds per INSERT

EXTENSION    = olpe
MODULE_big   = olpe
EXTVERSION   = 1.0

SRCS         = $(wildcard src/*.c)
OBJS         = $(SRCS:.c=.o)
# The install script is built from sql/parts/*.sql, in name order, so each
# feature keeps its SQL in a file of its own.
SQL_PARTS    = $(sort $(wildcard sql/parts/*.sql))
DATA_built   = olpe--$(EXTVERSION).sql
PG_CPPFLAGS  = -I$(srcdir)/src
PG_CFLAGS    = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG   ?= $(shell command -v pg_config 2>/dev/null || echo /usr/bin/pg_config)
PGXS        := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

ifneq ($(PGXS),)
include $(PGXS)
else
# On a fresh machine the PostgreSQL server headers are not installed yet, so
# PGXS cannot be read: install them first, then build in a new make.
all install installcheck:
	bash scripts/install-deps.sh
	$(MAKE) $@
endif

# PGXS does not track headers: every object depends on the shared ones.
$(OBJS): $(wildcard src/*.h)

olpe--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

.PHONY: test demo demo-stop bench bench-instructions deps cluster-up cluster-down cluster-status

deps:
	bash scripts/install-deps.sh

# test/run.sh and scripts/demo.sh install missing packages, build and install
# olpe themselves, so both work from a clean clone on a fresh machine.
test:
	bash test/run.sh

# DATA=path names the demo's data directory. It is also a PGXS variable, so
# it is kept out of the environment of the makes that scripts/demo.sh runs.
demo:
	env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES bash scripts/demo.sh $(if $(DATA),--data "$(DATA)")

demo-stop:
	bash scripts/demo.sh --stop

bench:
	bash bench/run.sh

bench-instructions:
	bash bench/trigger_instructions.sh

# A primary, streaming replicas and pgbouncer in transaction mode, on
# loopback ports in tmp/topology (docs/deployment.md). REPLICAS=N sets the
# number of replicas (default 2).
cluster-up:
	bash scripts/topology.sh up $(if $(REPLICAS),--replicas $(REPLICAS))

cluster-down:
	bash scripts/topology.sh down

cluster-status:
	bash scripts/topology.sh status
