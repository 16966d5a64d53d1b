#!/usr/bin/env bash
# What `make test` needs on a Debian machine, installed and started when missing; quick when all is there.
#
#   chromium                      the browser stories (tests/browser)
#   postgresql, postgresql-client the web suite's second run on PostgreSQL; pg_dump/pg_restore for backups
#   python3-venv                  the Makefile's .venv
#   libpango-1.0-0, libpangoft2-1.0-0, fonts-dejavu-core
#                                 WeasyPrint's text layout and the font of the printable documents
#   poppler-utils                 pdftotext and pdftoppm, which the document tests read PDFs with
#
# As root it installs with apt-get and starts the PostgreSQL cluster (pg_ctlcluster); otherwise it
# stops with one line saying what to install. PostgreSQL is optional: when it can't be installed or
# started here, one line says so and the suite runs on SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
CHROMIUM="${PINPOINT_CHROMIUM:-/usr/bin/chromium}"
PG_URL_FILE=var/test-postgres-url
root=false
[ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && root=true

needed=()
[ -x "$CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || needed+=(chromium)
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || needed+=(python3-venv)
# ldconfig lives in /usr/sbin, outside a plain user's PATH: without it every library would look missing.
libraries=$(PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null || true)
grep -F 'libpango-1.0.so.0 ' <<<"$libraries" >/dev/null || needed+=(libpango-1.0-0)
grep -F 'libpangoft2-1.0.so.0 ' <<<"$libraries" >/dev/null || needed+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || needed+=(fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils)
pg_needed=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || pg_needed+=(postgresql)
command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 || pg_needed+=(postgresql-client)

if [ ${#needed[@]} -gt 0 ] || [ ${#pg_needed[@]} -gt 0 ]; then
    if ! $root; then
        missing=("${needed[@]}" "${pg_needed[@]}")
        echo "make test needs: apt-get install ${missing[*]} (as root; or run make test as root)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if [ ${#needed[@]} -gt 0 ]; then
        apt-get install -y -qq "${needed[@]}" >/dev/null
    fi
    if [ ${#pg_needed[@]} -gt 0 ] && ! apt-get install -y -qq "${pg_needed[@]}" >/dev/null; then
        echo "PostgreSQL could not be installed here (${pg_needed[*]}): the web suite will run on SQLite only."
    fi
fi

# PostgreSQL: start the newest cluster if it is installed but not running.
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; }
if ! pg_ready && $root && command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        pg_createcluster "$version" main >/dev/null
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
        || pg_ctlcluster "$version" main start || true
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
if ! pg_ready; then
    echo "PostgreSQL is not running on 127.0.0.1:5432 and could not be started here: the web suite will run on SQLite only."
    exit 0
fi

# The tests connect over TCP as postgres without a password (PINPOINT_TEST_POSTGRES overrides). Where the
# cluster asks for one (Debian's default), make a test superuser with a password and note its URL.
if [ -z "${PINPOINT_TEST_POSTGRES:-}" ] && [ ! -s "$PG_URL_FILE" ] \
    && ! PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    if $root && command -v runuser >/dev/null 2>&1; then
        secret=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')
        runuser -u postgres -- psql -q -d postgres -v ON_ERROR_STOP=1 \
            -c "DROP ROLE IF EXISTS pinpoint_test" -c "CREATE ROLE pinpoint_test LOGIN SUPERUSER PASSWORD '$secret'"
        mkdir -p var
        (umask 077 && echo "postgres://pinpoint_test:$secret@127.0.0.1:5432/postgres" > "$PG_URL_FILE")
        echo "PostgreSQL asks for a password: the tests use the role pinpoint_test ($PG_URL_FILE)."
    else
        echo "PostgreSQL refuses postgres@127.0.0.1 without a password: set PINPOINT_TEST_POSTGRES to a URL that works."
    fi
fi
