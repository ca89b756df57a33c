# builder/module.mk: the component cache and the builder's own helpers.

PADDOCK_CACHE ?= $(HOME)/.cache/paddock
export PADDOCK_CACHE

# `paddock components` fetches the lock's packages into it (an installed
# paddock does the same from anywhere)
.PHONY: components
components: $(PADDOCK)
	@$(PADDOCK) components --lock configs/components.lock

# the builder compresses initramfs layers itself (zstd, gzip, xz with CRC32)
PKGS += libzstd liblzma zlib

# where paddock finds configs/ and build products when it is not installed
# and not told otherwise (cli/locate.h)
$(BUILD)/obj/builder/cli/locate.o: override CPPFLAGS += -DPADDOCK_SRCDIR='"$(CURDIR)"'

# The bundled single-node example, built once and shared by the QEMU tests
# (qemu-tests/ get BUILD and find it in $(BUILD)/example/single-node).
EXAMPLE_OUT := $(BUILD)/example/single-node
.PHONY: example-image
example-image: $(EXAMPLE_OUT)/manifest.json
$(EXAMPLE_OUT)/manifest.json: $(PADDOCK) $(BUILD)/initrd/init configs/single-node.yml configs/base.list \
		configs/modules.list configs/components.lock | components
	@mkdir -p $(dir $(EXAMPLE_OUT))
	$(PADDOCK) build configs/single-node.yml -o $(EXAMPLE_OUT)

QEMU_PREREQS += components example-image
check-cli: components $(BUILD)/initrd/init

# make images: every bundled example built into $(BUILD)/images/<name>/
IMAGE_EXAMPLES := $(basename $(notdir $(wildcard configs/*.yml)))
images: $(PADDOCK) $(BUILD)/initrd/init components
	@for e in $(IMAGE_EXAMPLES); do \
		mkdir -p $(BUILD)/images && \
		$(PADDOCK) build configs/$$e.yml -o $(BUILD)/images/$$e || exit 1; \
	done

# builder/: the libFuzzer target for the cluster.yml front end.
#   make fuzz [FUZZ_SECONDS=60]   build with clang, seed, run
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_BIN     := $(FUZZ_DIR)/fuzz_config
FUZZ_SRCS    := builder/fuzz/fuzz_config.c $(BUILDER_SRCS) $(LIB_SRCS)
FUZZ_SEEDS   := $(wildcard ../shared/corpus/rke/*.yml) $(wildcard configs/*.yml)

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard builder/*.h builder/*/*.h lib/*.h)
	@mkdir -p $(dir $@)
	clang $(WARN) $(CPPFLAGS) -Ibuilder $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $(FUZZ_SRCS) $(PKG_LIBS)

# the stage reports paddock serve takes (builder/serve/report.h)
FUZZ_REPORT_BIN := $(FUZZ_DIR)/fuzz_report
$(FUZZ_REPORT_BIN): builder/fuzz/fuzz_report.c builder/serve/report.c $(LIB_SRCS) $(wildcard builder/serve/*.h lib/*.h)
	@mkdir -p $(dir $@)
	clang $(WARN) $(CPPFLAGS) -Ibuilder $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ builder/fuzz/fuzz_report.c builder/serve/report.c $(LIB_SRCS) $(PKG_LIBS)

.PHONY: fuzz-report
fuzz-report: $(FUZZ_REPORT_BIN)
	@mkdir -p $(FUZZ_DIR)/report-corpus $(FUZZ_DIR)/artifacts
	@printf 'node=node1 boot=ab-12 seq=1 t=5 stage=init detail=a%%20b\n' >$(FUZZ_DIR)/report-corpus/seed
	nice -n 10 $(FUZZ_REPORT_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ $(FUZZ_DIR)/report-corpus

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	@for f in $(FUZZ_SEEDS); do cp -n "$$f" $(FUZZ_DIR)/corpus/ 2>/dev/null || true; done
	nice -n 10 $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ -dict=builder/fuzz/cluster.dict \
		$(FUZZ_DIR)/corpus
