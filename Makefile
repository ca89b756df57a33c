# paddock — the one entry point.  `make help` lists the targets.
#
# Programs are built from directories: every .c in builder/'s stage folders
# (BUILDER_DIRS) and in builder/ itself except cli/main.c goes into a static library the tests link
# against; likewise initrd/ and provisioner/.  Unit tests are */tests/test_*.c (cmocka), found by wildcard.
# A directory may add rules in its own module.mk.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?=
CC      ?= cc
CFLAGS  ?= -O2 -g

PKGS := yaml-0.1 libarchive libcurl libcrypto libmicrohttpd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

override CPPFLAGS += -Ilib -D_GNU_SOURCE
override WARN := -std=c11 -Wall -Wextra -Werror
ifeq ($(SAN),1)
override CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

export SOURCE_DATE_EPOCH ?= 1700000000

LIB_SRCS      := $(wildcard lib/*.c)
# builder/: one folder per stage of the flow, in the order data goes through them,
# and beside them (builder/*.c) what every stage may use
BUILDER_DIRS  := cli config plan pki components image media out build audit serve
BUILDER_SRCS  := $(filter-out builder/cli/main.c,$(wildcard builder/*.c $(BUILDER_DIRS:%=builder/%/*.c)))
UNIT_SRCS     := $(wildcard lib/tests/test_*.c builder/tests/test_*.c initrd/tests/test_*.c provisioner/tests/test_*.c)

LIB_OBJS      := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
BUILDER_OBJS  := $(BUILDER_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS     := $(UNIT_SRCS:%.c=$(BUILD)/%)

PADDOCK := $(BUILD)/paddock
PROGRAMS := $(PADDOCK)

.PHONY: all help deps test unit unit-san check-cli qemu-test k8s-test k8s-ha netboot-test bench install uninstall clean example fuzz components images
all: $(PROGRAMS)

help:
	@echo "make deps        install every Debian build/test dependency (apt-get, as root)"
	@echo "make [all]       build $(PADDOCK) and the image programs"
	@echo "make example     validate, plan and build the bundled example into out/"
	@echo "make test        unit tests, again under ASan+UBSan, CLI/corpus tests, QEMU tests"
	@echo "make fuzz        build and run the libFuzzer target (FUZZ_SECONDS=60)"
	@echo "make netboot-test  paddock serve netboots the HA example in QEMU (not yet in make test)"
	@echo "make k8s-test    Kubernetes on a control-plane node + a worker in QEMU (not yet in make test)"
	@echo "make k8s-ha      Kubernetes on 3 control-plane nodes + a worker in QEMU, one lost (not in make test)"
	@echo "make bench       benchmarks that print figures"
	@echo "make components  fetch the pinned components into \$$PADDOCK_CACHE (paddock components)"
	@echo "make install     install paddock, its image programs, data and man page under"
	@echo "                 \$$(DESTDIR)\$$(PREFIX) (default /usr/local); make uninstall removes them"
	@echo "make deb         build $(BUILD)/paddock_<version>_<arch>.deb (dpkg-deb)"
	@echo "make clean       remove $(BUILD)/"

# --- dependencies ---------------------------------------------------------
DEB_PACKAGES := build-essential pkg-config clang libyaml-dev libssl-dev libarchive-dev \
	libcurl4-openssl-dev libcmocka-dev zstd cpio python3 python3-yaml jq socat openssh-client iproute2 \
	qemu-system-x86 qemu-utils ovmf ipxe-qemu isolinux syslinux-common pxelinux \
	grub-efi-amd64-bin grub-common mtools xorriso ssh-audit \
	libzstd-dev liblzma-dev zlib1g-dev man-db groff-base dpkg-dev e2fsprogs fdisk etcd-client \
	docker-registry skopeo apache2-utils busybox-static curl \
	libmicrohttpd-dev dnsmasq-base ipxe
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: all $(words $(DEB_PACKAGES)) packages present"; fi

# --- compilation ----------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libpaddock.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILDER_OBJS) $(BUILD)/obj/builder/cli/main.o: override CPPFLAGS += -Ibuilder

$(BUILD)/libbuilder.a: $(BUILDER_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(PADDOCK): $(BUILD)/obj/builder/cli/main.o $(BUILD)/libbuilder.a $(BUILD)/libpaddock.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# every unit test links the libraries of all program directories
TEST_LIBS = $(BUILD)/libbuilder.a $(EXTRA_TEST_LIBS) $(BUILD)/libpaddock.a
$(BUILD)/%: %.c $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIBS) $(PKG_LIBS) -lcmocka

# builder's tests include its headers by folder ("config/config.h")
$(BUILD)/builder/tests/%: override CPPFLAGS += -Ibuilder

-include $(wildcard */module.mk)
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- tests ----------------------------------------------------------------
RUNNER := tools/run-tests
CLI_TESTS  := $(sort $(wildcard builder/tests/*.sh))
# Run alone until each has passed here from start to end, then folded in:
# test_netboot.sh has not booted a guest yet (`make netboot-test`);
# test_k8s.sh has run up to its certificate checks (`make k8s-test`)
QEMU_ALONE := qemu-tests/test_netboot.sh qemu-tests/test_k8s.sh
QEMU_TESTS := $(sort $(filter-out $(QEMU_ALONE),$(wildcard qemu-tests/test_*.sh)))

unit: $(UNIT_BINS)
	@$(RUNNER) --log $(BUILD)/test-logs --name unit $(UNIT_BINS) $(UNIT_SCRIPTS)

unit-san:
	$(MAKE) BUILD=$(BUILD)/san SAN=1 unit

check-cli: $(PROGRAMS)
	@PADDOCK=$(abspath $(PADDOCK)) $(RUNNER) --log $(BUILD)/test-logs --name cli $(CLI_TESTS)

qemu-test: all $(QEMU_PREREQS)
	@PADDOCK=$(abspath $(PADDOCK)) BUILD=$(abspath $(BUILD)) $(RUNNER) --log $(BUILD)/test-logs --name qemu $(QEMU_TESTS)

# One summary over everything: the runner appends each group's counts.
# The programs and the component cache come first: a unit test builds a
# whole cluster from them (test_build_cluster), and skips without them.
test:
	@rm -f $(BUILD)/test-summary $(BUILD)/san/test-summary
	@mkdir -p $(BUILD)
	@st=0; \
	$(MAKE) --no-print-directory all components || st=1; \
	$(MAKE) --no-print-directory unit || st=1; \
	$(MAKE) --no-print-directory unit-san || st=1; \
	$(MAKE) --no-print-directory check-cli || st=1; \
	$(MAKE) --no-print-directory qemu-test || st=1; \
	$(RUNNER) --total $(BUILD)/test-summary $(BUILD)/san/test-summary; \
	exit $$st

# The main job on the bundled 3-node HA example: check it, show the plan,
# build every node's kernel, initramfs layers, ISO, PXE and iPXE trees in out/.
example: all components $(BUILD)/initrd/init
	$(PADDOCK) validate configs/ha-3node.yml
	$(PADDOCK) plan configs/ha-3node.yml
	$(PADDOCK) build configs/ha-3node.yml -o out

netboot-test: all $(QEMU_PREREQS)
	@PADDOCK=$(abspath $(PADDOCK)) BUILD=$(abspath $(BUILD)) $(RUNNER) --log $(BUILD)/test-logs \
		--name netboot qemu-tests/test_netboot.sh

k8s-test: all $(QEMU_PREREQS)
	@PADDOCK=$(abspath $(PADDOCK)) BUILD=$(abspath $(BUILD)) $(RUNNER) --log $(BUILD)/test-logs \
		--name k8s qemu-tests/test_k8s.sh

# Kubernetes on three stacked control-plane nodes and a worker, one of them
# lost and back: too heavy for the CI run (make test runs the 2-node case).
k8s-ha: all $(QEMU_PREREQS)
	@K8S_HA=1 PADDOCK=$(abspath $(PADDOCK)) BUILD=$(abspath $(BUILD)) $(RUNNER) --log $(BUILD)/test-logs \
		--name k8s-ha qemu-tests/test_k8s.sh

bench: all
	@for b in $(sort $(wildcard bench/*.sh)); do echo "== $$b"; PADDOCK=$(abspath $(PADDOCK)) bash $$b; \
		rc=$$?; [ $$rc = 0 ] || [ $$rc = 77 ] || exit 1; done

# --- install --------------------------------------------------------------
# An install is a tree the installed binary finds beside itself
# (builder/cli/locate.h):
#   PREFIX/bin/paddock
#   PREFIX/lib/paddock/    the build products base.list and the image lists
#                          name as build/... (build/initrd/init is
#                          lib/paddock/initrd/init)
#   PREFIX/share/paddock/  the data, at its source-tree path: configs/ lists
#                          and lock, os-services/, the source files that
#                          product lines name
#   PREFIX/share/man/man1/paddock.1
# uninstall removes the same list, computed the same way, then the empty
# folders under lib/paddock and share/paddock.
INSTALL_LISTS    := configs/base.list $(wildcard os-services/images/*.list provisioner/images/*.list)
INSTALL_NAMED    := $(shell awk '$$1 == "product" || $$1 == "modules" { print $$2 }' $(INSTALL_LISTS))
INSTALL_PRODUCTS := $(sort $(patsubst build/%,%,$(filter build/%,$(INSTALL_NAMED))))
INSTALL_DATA     := $(sort $(INSTALL_LISTS) configs/components.lock $(filter-out build/%,$(INSTALL_NAMED)) \
	$(wildcard os-services/*.yml os-services/files/*))
INSTALL_FILES    := bin/paddock $(INSTALL_PRODUCTS:%=lib/paddock/%) $(INSTALL_DATA:%=share/paddock/%) \
	share/man/man1/paddock.1
INSTALL_TO       := $(DESTDIR)$(PREFIX)

install: all
	install -D -m 0755 $(PADDOCK) '$(INSTALL_TO)/bin/paddock'
	@for f in $(INSTALL_PRODUCTS); do \
		echo "install $(BUILD)/$$f -> $(INSTALL_TO)/lib/paddock/$$f"; \
		install -D -m 0755 '$(BUILD)'/$$f '$(INSTALL_TO)/lib/paddock/'$$f || exit 1; \
	done
	@for f in $(INSTALL_DATA); do \
		m=0644; [ -x $$f ] && m=0755; \
		install -D -m $$m $$f '$(INSTALL_TO)/share/paddock/'$$f || exit 1; \
	done; echo "install $(words $(INSTALL_DATA)) data files -> $(INSTALL_TO)/share/paddock/"
	install -D -m 0644 doc/paddock.1 '$(INSTALL_TO)/share/man/man1/paddock.1'

uninstall:
	rm -f $(foreach f,$(INSTALL_FILES),'$(INSTALL_TO)/$(f)')
	@for d in lib/paddock share/paddock; do \
		[ ! -d '$(INSTALL_TO)/'$$d ] || find '$(INSTALL_TO)/'$$d -depth -type d -empty -delete; \
	done

clean:
	rm -rf $(BUILD)
